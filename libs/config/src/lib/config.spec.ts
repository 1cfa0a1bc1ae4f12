import { z } from 'zod';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, commonConfigShape, controlPlaneSettings, databaseConfigShape, env, loadConfig, natsSettings } from './config';

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

describe('TLS files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
  const file = join(dir, 'cert.pem');
  writeFileSync(file, 'x');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const problems = (source: Record<string, string>) => {
    try {
      loadConfig(commonConfigShape, source);
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('refuses a path that is not a readable file, naming the variable', () => {
    expect(problems({ NATS_TLS_CA_FILE: join(dir, 'missing.pem') })).toEqual([{ variable: 'NATS_TLS_CA_FILE', message: 'must be a readable file' }]);
    expect(problems({ NATS_TLS_CA_FILE: dir })).toEqual([{ variable: 'NATS_TLS_CA_FILE', message: 'must be a readable file' }]);
  });

  it('wants a certificate and its key together', () => {
    expect(problems({ NATS_TLS_CERT_FILE: file })).toEqual([{ variable: 'NATS_TLS_KEY_FILE', message: 'must be set together with NATS_TLS_CERT_FILE' }]);
    expect(problems({ NATS_TLS_KEY_FILE: file })).toEqual([{ variable: 'NATS_TLS_CERT_FILE', message: 'must be set together with NATS_TLS_KEY_FILE' }]);
    expect(problems({ NATS_TLS_CERT_FILE: file, NATS_TLS_KEY_FILE: file })).toEqual([]);
  });

  it('turns TLS on in the NATS settings of every service when any NATS_TLS_* is set', () => {
    const plain = loadConfig({ ...commonConfigShape, ...databaseConfigShape }, { NATS_USER: 'u', NATS_PASSWORD: 'p' });
    expect(natsSettings(plain, 'svc')).toEqual({ url: 'nats://127.0.0.1:4222', name: 'svc', user: 'u', password: 'p' });
    const tls = loadConfig({ ...commonConfigShape, ...databaseConfigShape }, { NATS_TLS_CA_FILE: file, NATS_TLS_CERT_FILE: file, NATS_TLS_KEY_FILE: file });
    expect(natsSettings(tls, 'svc').tls).toEqual({ caFile: file, certFile: file, keyFile: file });
    expect(controlPlaneSettings('svc', tls, false).nats.tls).toEqual({ caFile: file, certFile: file, keyFile: file });
  });
});
