import fc from 'fast-check';
import { HostPortAllocator, PortTable } from './host-port-allocator';
import { HostPortsUnavailable } from './runtime.errors';

describe('PortTable', () => {
  it('treats 0.0.0.0 and :: as clashing with every address', () => {
    const table = new PortTable();
    table.add('127.0.0.2', 20001);
    table.add('0.0.0.0', 20002);
    expect(table.has('127.0.0.2', 20001)).toBe(true);
    expect(table.has('127.0.0.3', 20001)).toBe(false);
    expect(table.has('127.0.0.3', 20002)).toBe(true);
    expect(table.has('::', 20001)).toBe(true);
    table.delete('0.0.0.0', 20002);
    expect(table.has('127.0.0.3', 20002)).toBe(false);
  });
});

describe('HostPortAllocator', () => {
  it('never hands out a port twice on one address, nor one taken elsewhere, and fails only when the range is full', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('allocate' as const), ip: fc.constantFrom('127.0.0.2', '127.0.0.3'), count: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('release' as const), index: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.uniqueArray(fc.integer({ min: 30000, max: 30015 }), { maxLength: 6 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (ops, taken, seed) => {
        const range = { from: 30000, to: 30015 };
        const allocator = new HostPortAllocator({ random: () => seed });
        const live: Array<{ ip: string; ports: number[] }> = [];
        for (const step of ops) {
          if (step.kind === 'release') {
            if (live.length === 0) continue;
            const [gone] = live.splice(step.index % live.length, 1);
            allocator.release(gone.ip, gone.ports);
            continue;
          }
          const used = new Set(live.filter((l) => l.ip === step.ip).flatMap((l) => l.ports));
          const free = 16 - new Set([...used, ...taken]).size;
          if (free < step.count) {
            expect(() => allocator.allocate(step.ip, range, step.count, (p) => taken.includes(p))).toThrow(HostPortsUnavailable);
            continue;
          }
          const ports = allocator.allocate(step.ip, range, step.count, (p) => taken.includes(p));
          expect(ports).toHaveLength(step.count);
          expect(new Set(ports).size).toBe(step.count);
          for (const port of ports) {
            expect(port).toBeGreaterThanOrEqual(range.from);
            expect(port).toBeLessThanOrEqual(range.to);
            expect(used.has(port)).toBe(false);
            expect(taken.includes(port)).toBe(false);
          }
          live.push({ ip: step.ip, ports });
        }
      }),
    );
  });

  it('keeps a blocked port out of rotation until the block expires', () => {
    let now = 0;
    const allocator = new HostPortAllocator({ blockMs: 1000, now: () => now, random: () => 0 });
    allocator.block('127.0.0.2', 20000, 'address already in use');
    expect(allocator.allocate('127.0.0.2', { from: 20000, to: 20001 }, 1)).toEqual([20001]);
    expect(() => allocator.allocate('127.0.0.2', { from: 20000, to: 20001 }, 1)).toThrow(
      'no free host port on 127.0.0.2 in 20000-20001: needed 1, found 0; recently refused: 20000: address already in use',
    );
    now = 1001;
    expect(allocator.allocate('127.0.0.2', { from: 20000, to: 20001 }, 1)).toEqual([20000]);
  });

  it('rejects a malformed range', () => {
    expect(() => new HostPortAllocator().allocate('127.0.0.1', { from: 5, to: 4 }, 1)).toThrow(RangeError);
  });
});
