import { portSignature, SandboxPool, type PortSignature, type Sandbox } from './sandbox-pool';

const range = { from: 20000, to: 29_999 };
const web = portSignature('127.0.0.2', range, [{ containerPort: 80 }]);

function harness(size: number, concurrency: number, fail = () => false, busy?: () => boolean) {
  let made = 0;
  let running = 0;
  let peak = 0;
  const destroyed: string[] = [];
  const pool = new SandboxPool({
    size,
    concurrency,
    retryMs: 60_000,
    make: async (signature: PortSignature): Promise<Sandbox> => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (fail()) throw new Error('engine said no');
      made++;
      return { id: `sb-${made}`, signature: signature.key, hostIp: signature.hostIp, ports: [] };
    },
    destroy: async (sandbox) => {
      destroyed.push(sandbox.id);
    },
    busy,
  });
  return { pool, destroyed, made: () => made, peak: () => peak };
}

describe('portSignature', () => {
  it('keys on address, range and the sorted port/protocol list', () => {
    const a = portSignature('127.0.0.2', range, [{ containerPort: 443 }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 80, protocol: 'TCP' }]);
    const b = portSignature('127.0.0.2', range, [{ containerPort: 80 }, { containerPort: 443 }, { containerPort: 53, protocol: 'UDP' }]);
    expect(a.key).toBe('127.0.0.2|20000-29999|443/tcp,53/udp,80/tcp');
    expect(a.key).toBe(b.key);
    expect(portSignature('127.0.0.3', range, [{ containerPort: 80 }]).key).not.toBe(web.key);
    expect(portSignature('127.0.0.2', { from: 1, to: 2 }, [{ containerPort: 80 }]).key).not.toBe(web.key);
  });
});

describe('SandboxPool', () => {
  it('learns a signature from demand, keeps `size` spares of it within the concurrency, and hands each out once', async () => {
    const { pool, made, peak } = harness(3, 2);
    expect(pool.take(web)).toBeUndefined();
    await pool.idle();
    expect(pool.spareCount(web.key)).toBe(3);
    expect(peak()).toBeLessThanOrEqual(2);
    const taken = [pool.take(web), pool.take(web)].map((s) => s?.id);
    expect(new Set(taken).size).toBe(2);
    await pool.idle();
    expect(pool.spareCount(web.key)).toBe(3);
    expect(made()).toBe(5);
    expect(pool.isSpare(taken[0] as string)).toBe(false);
  });

  it('waits after a failed creation instead of hammering the engine', async () => {
    const { pool, made } = harness(2, 2, () => true);
    pool.take(web);
    await pool.idle();
    expect(made()).toBe(0);
    expect(pool.spareCount()).toBe(0);
    await pool.close();
  });

  it('drops a spare found dead and refills; close removes the spares and stops refilling', async () => {
    const { pool, destroyed } = harness(2, 1);
    pool.take(web);
    await pool.idle();
    expect(pool.drop('sb-1')?.id).toBe('sb-1');
    await pool.idle();
    expect(pool.spareCount()).toBe(2);
    await pool.close();
    expect(destroyed.sort()).toEqual(['sb-2', 'sb-3']);
    expect(pool.take(web)).toBeUndefined();
    await pool.idle();
    expect(pool.spareCount()).toBe(0);
  });

  it('holds refills back while foreground work is in flight, then catches up', async () => {
    let busy = true;
    const { pool, made } = harness(2, 2, () => false, () => busy);
    pool.take(web);
    await new Promise((r) => setTimeout(r, 250));
    expect(made()).toBe(0);
    busy = false;
    for (let i = 0; i < 50 && pool.spareCount(web.key) < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await pool.idle();
    }
    expect(pool.spareCount(web.key)).toBe(2);
    await pool.close();
  });
});
