import fc from 'fast-check';
import { DEFAULT_NAMESPACE, DEFAULT_SERVER, resolveSettings } from './settings.resolver';

describe('resolveSettings precedence: flags > env > file > defaults', () => {
  it('uses the defaults when nothing is set, and no token', () => {
    const settings = resolveSettings({ flags: {}, env: {}, file: {} });
    expect(settings).toEqual({ server: DEFAULT_SERVER, namespace: DEFAULT_NAMESPACE, sources: { server: 'default', namespace: 'default' } });
  });

  it('takes the file over the defaults, the environment over the file and flags over everything', () => {
    const file = { server: 'http://file:1', token: 'file-token', namespace: 'file-ns' };
    const env = { BERTH_SERVER: 'http://env:2', BERTH_TOKEN: 'env-token', BERTH_NAMESPACE: 'env-ns' };
    const flags = { server: 'http://flag:3', token: 'flag-token', namespace: 'flag-ns' };
    expect(resolveSettings({ flags: {}, env: {}, file })).toMatchObject({ server: 'http://file:1', token: 'file-token', namespace: 'file-ns' });
    expect(resolveSettings({ flags: {}, env, file })).toMatchObject({ server: 'http://env:2', token: 'env-token', namespace: 'env-ns' });
    expect(resolveSettings({ flags, env, file })).toMatchObject({ server: 'http://flag:3', token: 'flag-token', namespace: 'flag-ns', sources: { server: 'flag' } });
  });

  it('resolves each setting on its own', () => {
    const settings = resolveSettings({ flags: { namespace: 'flag-ns' }, env: { BERTH_TOKEN: 'env-token' }, file: { server: 'http://file:1' } });
    expect(settings).toEqual({
      server: 'http://file:1',
      token: 'env-token',
      namespace: 'flag-ns',
      sources: { server: 'file', token: 'env', namespace: 'flag' },
    });
  });

  it('treats empty values as unset', () => {
    expect(resolveSettings({ flags: { server: '' }, env: { BERTH_SERVER: '', BERTH_TOKEN: '' }, file: { server: 'http://file:1' } })).toMatchObject({
      server: 'http://file:1',
      sources: { server: 'file' },
    });
  });

  it('names the source of a bad value', () => {
    expect(() => resolveSettings({ flags: {}, env: { BERTH_SERVER: 'localhost:8080' }, file: {} })).toThrow('invalid server "localhost:8080" (BERTH_SERVER)');
    expect(() => resolveSettings({ flags: { namespace: 'Team_A' }, env: {}, file: {} })).toThrow('invalid namespace "Team_A" (--namespace)');
    expect(() => resolveSettings({ flags: {}, env: {}, file: { server: 'ftp://x' }, filePath: '/h/.berth/config.yaml' })).toThrow(
      '(config file /h/.berth/config.yaml): only http and https',
    );
  });

  it('drops a trailing slash from the server', () => {
    expect(resolveSettings({ flags: { server: 'http://127.0.0.1:9000/' }, env: {}, file: {} }).server).toBe('http://127.0.0.1:9000');
  });

  it('the highest-priority non-empty source always wins (property)', () => {
    const value = fc.option(fc.constantFrom('a', 'b', 'c', ''), { nil: undefined });
    fc.assert(
      fc.property(value, value, value, (flag, env, file) => {
        const expected = [flag, env, file].find((v) => v !== undefined && v !== '') ?? DEFAULT_NAMESPACE;
        const settings = resolveSettings({ flags: { namespace: flag }, env: { BERTH_NAMESPACE: env }, file: { namespace: file } });
        expect(settings.namespace).toBe(expected);
      }),
    );
  });
});
