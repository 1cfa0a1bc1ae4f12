import { BalancingPolicy } from './proxy.types';

/** What the balancer needs from an endpoint: how busy it is. */
export interface BalancedEndpoint {
  active: number;
}

/**
 * Picks one of the eligible endpoints. Round robin walks a cursor; least-connections takes the
 * fewest active, scanning from the same cursor so ties rotate instead of piling onto the first.
 */
export class EndpointBalancer<T extends BalancedEndpoint> {
  private cursor = 0;

  constructor(public policy: BalancingPolicy = 'round-robin') {}

  /** `exclude` holds endpoints already tried for this connection (a retry must go elsewhere). */
  pick(candidates: readonly T[], exclude?: readonly T[]): T | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const start = this.cursor % n;
    if (this.policy === 'round-robin') {
      for (let k = 0; k < n; k++) {
        const i = (start + k) % n;
        const candidate = candidates[i];
        if (exclude !== undefined && exclude.includes(candidate)) continue;
        this.cursor = i + 1;
        return candidate;
      }
      return undefined;
    }
    let best = -1;
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      const candidate = candidates[i];
      if (exclude !== undefined && exclude.includes(candidate)) continue;
      if (best === -1 || candidate.active < candidates[best].active) best = i;
    }
    if (best === -1) return undefined;
    this.cursor = best + 1;
    return candidates[best];
  }
}
