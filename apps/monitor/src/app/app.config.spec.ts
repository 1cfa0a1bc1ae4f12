import { ConfigError } from '@berth/config';
import { loadMonitorConfig } from './app.config';

describe('monitor configuration', () => {
  it('has defaults that declare a dead node lost within 3 s of its last heartbeat', () => {
    const config = loadMonitorConfig({});
    expect(config.NOT_READY_AFTER_MS).toBeLessThan(config.LOST_AFTER_MS);
    expect(config.LOST_AFTER_MS + config.LIVENESS_TICK_MS).toBeLessThan(3_000);
    expect(config.RETENTION_RAW_MINUTES).toBe(60);
  });

  it('names the variable when thresholds contradict each other', () => {
    expect(() => loadMonitorConfig({ NOT_READY_AFTER_MS: '3000', LOST_AFTER_MS: '2000' })).toThrow(ConfigError);
    expect(() => loadMonitorConfig({ NOT_READY_AFTER_MS: '3000', LOST_AFTER_MS: '2000' })).toThrow(/LOST_AFTER_MS: must be greater/);
    expect(() => loadMonitorConfig({ LIVENESS_TICK_MS: '1500' })).toThrow(/LIVENESS_TICK_MS/);
    expect(() => loadMonitorConfig({ RETENTION_RAW_MINUTES: 'soon' })).toThrow(/RETENTION_RAW_MINUTES/);
  });
});
