import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifests } from '@berth/manifests';
import { WORKSPACE_ROOT } from '@berth/testing';

const dir = join(WORKSPACE_ROOT, 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('examples/', () => {
  it('has the examples the docs promise', () => {
    expect(files).toEqual(expect.arrayContaining(['nginx.yaml', 'nginx-hpa.yaml', 'rolling-update.yaml', 'affinity-and-taints.yaml', 'http-service.yaml']));
  });

  it('keeps the seed example byte-for-byte identical to the validated fixture', () => {
    expect(readFileSync(join(dir, 'nginx.yaml'), 'utf8')).toBe(readFileSync(join(WORKSPACE_ROOT, 'libs/manifests/src/fixtures/nginx.yaml'), 'utf8'));
  });

  it.each(files)('%s validates with no errors and no unknown fields', (file) => {
    const loaded = loadManifests(readFileSync(join(dir, file), 'utf8'));
    for (const doc of loaded.documents) {
      if (!doc.ok) throw new Error(`${file}: ${JSON.stringify(doc.errors, null, 2)}`);
      expect(doc.warnings).toEqual([]);
    }
    expect(loaded.ok).toBe(true);
    expect(loaded.documents.length).toBeGreaterThan(0);
  });
});
