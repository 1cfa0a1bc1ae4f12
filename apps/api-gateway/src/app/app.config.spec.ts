import { ConfigError } from '@berth/config';
import { loadGatewayConfig } from './app.config';

describe('gateway configuration', () => {
  it('has safe defaults: no anonymous access, 3 MiB bodies, 30 s bookmarks', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({ ANONYMOUS: false, MAX_BODY_BYTES: 3 * 1024 * 1024, WATCH_BOOKMARK_SECONDS: 30, PORT: 8080, METRICS_TIMEOUT_MS: 2000 });
  });

  it.each([
    [{ ANONYMOUS: 'sometimes' }, 'ANONYMOUS'],
    [{ MAX_BODY_BYTES: '10' }, 'MAX_BODY_BYTES'],
    [{ MAX_BODY_BYTES: 'lots' }, 'MAX_BODY_BYTES'],
    [{ WATCH_BOOKMARK_SECONDS: '0' }, 'WATCH_BOOKMARK_SECONDS'],
    [{ READ_WAIT_MS: '-1' }, 'READ_WAIT_MS'],
  ])('refuses %j and names %s', (env, variable) => {
    try {
      loadGatewayConfig(env);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([variable]);
    }
  });

  it('serves HTTPS only with both TLS_CERT_FILE and TLS_KEY_FILE, each a readable file', () => {
    expect(() => loadGatewayConfig({ TLS_CERT_FILE: __filename })).toThrow(/TLS_KEY_FILE: must be set together with TLS_CERT_FILE/);
    expect(() => loadGatewayConfig({ TLS_CERT_FILE: '/nonexistent.pem', TLS_KEY_FILE: __filename })).toThrow(/TLS_CERT_FILE: must be a readable file/);
    expect(loadGatewayConfig({ TLS_CERT_FILE: __filename, TLS_KEY_FILE: __filename })).toMatchObject({ TLS_CERT_FILE: __filename, TLS_KEY_FILE: __filename });
  });

  it('reads ANONYMOUS=true for local development', () => {
    expect(loadGatewayConfig({ ANONYMOUS: 'true', MAX_BODY_BYTES: '65536' })).toMatchObject({ ANONYMOUS: true, MAX_BODY_BYTES: 65536 });
  });
});
