import { z } from 'zod';
import { ConfigError, commonConfigShape, databaseConfigShape, env, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies defaults and coerces types', () => {
    const config = loadConfig({ ...commonConfigShape, ...databaseConfigShape, PORT: env.port(3000) }, {});
    expect(config.PORT).toBe(3000);
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.DATABASE_SCHEMA).toBe('berth');
  });

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: env.port(1), DATABASE_URL: env.url('x://y') }, { PORT: 'abc', DATABASE_URL: 'nope' })).toThrow(
      /PORT: .*; DATABASE_URL: must be a URL/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ A: z.string().default('d') }, { A: '' }).A).toBe('d');
  });

  it('fails on a missing required variable', () => {
    const attempt = () => loadConfig({ NODE_NAME: z.string().min(1) }, {});
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/NODE_NAME/);
  });

  it('parses booleans strictly', () => {
    expect(loadConfig({ B: env.bool(false) }, { B: 'yes' }).B).toBe(true);
    expect(() => loadConfig({ B: env.bool(false) }, { B: 'maybe' })).toThrow(/B:/);
  });
});
