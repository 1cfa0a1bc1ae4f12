import { ConfigError } from '@berth/config';
import { autoscalerSettings, loadAutoscalerConfig } from './app.config';

describe('autoscaler configuration', () => {
  it('has working defaults: a 5 s sync and a metrics window of two sync periods', () => {
    expect(autoscalerSettings(loadAutoscalerConfig({}))).toMatchObject({ syncPeriodMs: 5_000, metricsWindowMs: 10_000, hpa: { tolerance: 0.1 } });
    expect(autoscalerSettings(loadAutoscalerConfig({ SYNC_PERIOD_MS: '500' })).metricsWindowMs).toBe(1_000);
  });

  it.each([
    [{ SYNC_PERIOD_MS: 'often' }, 'SYNC_PERIOD_MS'],
    [{ SYNC_PERIOD_MS: '10' }, 'SYNC_PERIOD_MS'],
    [{ TOLERANCE: '1.5' }, 'TOLERANCE'],
  ])('names the bad variable in %j', (env, variable) => {
    let error: unknown;
    try {
      loadAutoscalerConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toContain(variable);
  });
});
