import { ConfigError } from '@berth/config';
import { loadSchedulerConfig, schedulerSettings } from './app.config';

describe('scheduler configuration', () => {
  it('has working defaults', () => {
    const settings = schedulerSettings(loadSchedulerConfig({}));
    expect(settings).toMatchObject({ nodeLostGraceMs: 0, desiredUpdateCoalesceMs: 20, scoringStrategy: 'LeastAllocated', preemption: true });
  });

  it.each([
    [{ SCORING_STRATEGY: 'Random' }, 'SCORING_STRATEGY'],
    [{ NODE_LOST_GRACE_MS: '-1' }, 'NODE_LOST_GRACE_MS'],
    [{ PREEMPTION_ENABLED: 'maybe' }, 'PREEMPTION_ENABLED'],
    [{ SCHEDULING_BACKOFF_INITIAL_MS: '5000', SCHEDULING_BACKOFF_MAX_MS: '1000' }, 'SCHEDULING_BACKOFF_MAX_MS'],
  ])('names the bad variable in %j', (env, variable) => {
    let error: unknown;
    try {
      loadSchedulerConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toContain(variable);
  });
});
