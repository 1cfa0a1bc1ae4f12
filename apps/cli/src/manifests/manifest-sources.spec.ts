import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentTypeFor, parseSource, readManifestSources } from './manifest-sources';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-manifests-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const noStdin = (): Promise<string> => Promise.reject(new Error('stdin must not be read'));

describe('readManifestSources', () => {
  it('walks folders recursively in sorted order, taking only .yaml, .yml and .json', async () => {
    const root = tree({ 'app/b.yaml': 'b', 'app/a.yml': 'a', 'app/sub/c.json': '{}', 'app/README.md': 'no', 'app/z.txt': 'no' });
    const sources = await readManifestSources(['app'], root, noStdin);
    expect(sources.map((s) => [s.name, s.contentType])).toEqual([
      ['app/a.yml', 'application/yaml'],
      ['app/b.yaml', 'application/yaml'],
      ['app/sub/c.json', 'application/json'],
    ]);
  });

  it('reads a named file whatever its extension, and stdin once', async () => {
    const root = tree({ 'web.txt': 'kind: x' });
    const sources = await readManifestSources(['web.txt', '-'], root, () => Promise.resolve('{"kind":"List","items":[]}'));
    expect(sources).toEqual([
      { name: 'web.txt', text: 'kind: x', contentType: 'application/yaml' },
      { name: '-', text: '{"kind":"List","items":[]}', contentType: 'application/json' },
    ]);
    await expect(readManifestSources(['-', '-'], root, () => Promise.resolve(''))).rejects.toThrow('stdin (-) can only be given once');
  });

  it('names a path that does not exist', async () => {
    await expect(readManifestSources(['nope.yaml'], tree({}), noStdin)).rejects.toThrow('the path "nope.yaml" does not exist');
  });
});

describe('contentTypeFor', () => {
  it('uses the extension, or the first character of stdin', () => {
    expect(contentTypeFor('x.JSON', 'a: 1')).toBe('application/json');
    expect(contentTypeFor('x.yaml', '{}')).toBe('application/yaml');
    expect(contentTypeFor('-', '  [1]')).toBe('application/json');
    expect(contentTypeFor('-', 'a: 1')).toBe('application/yaml');
  });
});

describe('parseSource', () => {
  it('splits multi-document YAML and reports a broken document with its line', () => {
    const good = parseSource({ name: 'a.yaml', contentType: 'application/yaml', text: 'kind: A\n---\n# only a comment\n---\nkind: B\n' });
    expect(good.objects).toEqual([{ kind: 'A' }, { kind: 'B' }]);
    expect(good.errors).toEqual([]);
    const bad = parseSource({ name: 'b.yaml', contentType: 'application/yaml', text: 'kind: A\n---\nkind: [B\n' });
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(/^document\[1\]/);
  });
});
