import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configPath, readConfigFile, updateConfigFile } from './cli-config.store';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'berth-config-'));

describe('configPath', () => {
  it('is ~/.berth/config.yaml under $HOME, unless BERTH_CONFIG names a file', () => {
    expect(configPath({ HOME: '/home/ops' })).toBe('/home/ops/.berth/config.yaml');
    expect(configPath({ HOME: '/home/ops', BERTH_CONFIG: '/etc/berth.yaml' })).toBe('/etc/berth.yaml');
  });
});

describe('config file', () => {
  it('reads as empty when missing', async () => {
    await expect(readConfigFile(join(tempDir(), 'none.yaml'))).resolves.toEqual({});
  });

  it('creates the folder and a private file, keeps other keys and removes unset ones', async () => {
    const path = join(tempDir(), 'nested', '.berth', 'config.yaml');
    await updateConfigFile(path, 'server', 'http://127.0.0.1:9000');
    await updateConfigFile(path, 'token', 'secret');
    expect(await readConfigFile(path)).toEqual({ server: 'http://127.0.0.1:9000', token: 'secret' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(path, `${readFileSync(path, 'utf8')}future: kept\n`);
    await updateConfigFile(path, 'token', undefined);
    expect(readFileSync(path, 'utf8')).toBe('server: http://127.0.0.1:9000\nfuture: kept\n');
  });

  it('explains a broken file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'server: [unclosed\n');
    await expect(readConfigFile(join(dir, 'bad.yaml'))).rejects.toThrow('is not valid YAML');
    writeFileSync(join(dir, 'list.yaml'), '- a\n');
    await expect(readConfigFile(join(dir, 'list.yaml'))).rejects.toThrow('must be a mapping');
    writeFileSync(join(dir, 'num.yaml'), 'server: 8080\n');
    await expect(readConfigFile(join(dir, 'num.yaml'))).rejects.toThrow('server must be a string');
  });
});
