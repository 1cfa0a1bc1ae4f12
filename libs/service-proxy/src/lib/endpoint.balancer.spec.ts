import fc from 'fast-check';
import { EndpointBalancer } from './endpoint.balancer';

interface Ep {
  name: string;
  active: number;
}

const endpoints = (actives: number[]): Ep[] => actives.map((active, i) => ({ name: `e${i}`, active }));

describe('EndpointBalancer', () => {
  it('returns undefined with no candidates, or when every candidate was tried', () => {
    const balancer = new EndpointBalancer<Ep>();
    expect(balancer.pick([])).toBeUndefined();
    const eps = endpoints([0, 0]);
    expect(balancer.pick(eps, eps)).toBeUndefined();
    balancer.policy = 'least-connections';
    expect(balancer.pick(eps, eps)).toBeUndefined();
  });

  it('round robin: k rounds over n endpoints give each exactly k picks, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 50 }), (n, k, warmup) => {
        const balancer = new EndpointBalancer<Ep>('round-robin');
        const eps = endpoints(Array(n).fill(0));
        for (let i = 0; i < warmup; i++) balancer.pick(eps);
        const counts = new Map<Ep, number>();
        let previous = balancer.pick(eps) as Ep;
        counts.set(previous, 1);
        for (let i = 1; i < n * k; i++) {
          const next = balancer.pick(eps) as Ep;
          expect(eps.indexOf(next)).toBe((eps.indexOf(previous) + 1) % n);
          counts.set(next, (counts.get(next) ?? 0) + 1);
          previous = next;
        }
        expect([...counts.values()]).toEqual(Array(n).fill(k));
      }),
    );
  });

  it('never returns an excluded endpoint, and returns one whenever any is left', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        fc.constantFrom<'round-robin' | 'least-connections'>('round-robin', 'least-connections'),
        (actives, excludedMask, policy) => {
          const eps = endpoints(actives);
          const exclude = eps.filter((_, i) => excludedMask[i]);
          const picked = new EndpointBalancer<Ep>(policy).pick(eps, exclude);
          if (exclude.length === eps.length) expect(picked).toBeUndefined();
          else {
            expect(picked).toBeDefined();
            expect(exclude).not.toContain(picked);
          }
        },
      ),
    );
  });

  it('least-connections always picks a least-loaded endpoint, and rotates among ties', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 8 }), (actives) => {
        const balancer = new EndpointBalancer<Ep>('least-connections');
        const eps = endpoints(actives);
        const min = Math.min(...actives);
        const tied = eps.filter((e) => e.active === min);
        const seen = new Set<Ep>();
        for (let i = 0; i < tied.length; i++) {
          const picked = balancer.pick(eps) as Ep;
          expect(picked.active).toBe(min);
          seen.add(picked);
        }
        expect(seen.size).toBe(tied.length);
      }),
    );
  });

  it('least-connections follows load as it changes', () => {
    const balancer = new EndpointBalancer<Ep>('least-connections');
    const eps = endpoints([0, 0, 0]);
    for (let i = 0; i < 30; i++) {
      const picked = balancer.pick(eps) as Ep;
      picked.active++;
      const loads = eps.map((e) => e.active);
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    }
  });
});
