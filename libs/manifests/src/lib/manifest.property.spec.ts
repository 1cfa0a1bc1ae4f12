import fc from 'fast-check';
import { stringify } from 'yaml';
import { loadManifests } from './manifest.loader';
import { ParsedManifests } from './manifest-limits.model';
import { parseManifests } from './manifest.parser';

function expectWellFormed(result: ParsedManifests): void {
  expect(result.ok).toBe(result.errors.length === 0);
  for (const error of result.errors) {
    expect(error.message.length).toBeGreaterThan(0);
    expect([400, 413, 422]).toContain(error.status.code);
    expect(error.message).not.toMatch(/could not be parsed/);
  }
  for (const doc of result.documents) expect(Number.isInteger(doc.document)).toBe(true);
}

// Fragments that exercise the YAML grammar's corners when glued together at random.
const yamlToken = fc.constantFrom(
  '---\n', '...\n', ':', ': ', '- ', '\n', '  ', '[', ']', '{', '}', ',', '&a ', '*a', '<<: ', '"', "'", '#',
  '!!str ', '!!binary ', '%YAML 1.2\n', '|\n', '>-\n', '? ', 'kind: List\n', 'items:\n', 'apiVersion: v1\n', 'metadata:\n  name: ', 'x', '1', 'null', '~', '\t', '\r',
);

describe('parseManifests never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => expectWellFormed(parseManifests(text))),
      { numRuns: 1000 },
    );
  });

  it('on YAML-like token soup', () => {
    fc.assert(
      fc.property(fc.array(yamlToken, { maxLength: 80 }), (tokens) => expectWellFormed(parseManifests(tokens.join('')))),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expectWellFormed(parseManifests(bytes))),
      { numRuns: 500 },
    );
  });

  it('and neither does loadManifests', () => {
    fc.assert(
      fc.property(fc.array(yamlToken, { maxLength: 60 }), (tokens) => {
        const loaded = loadManifests(tokens.join(''));
        expect(loaded.ok).toBe(loaded.errors.length === 0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseManifests decodes what YAML and JSON encode', () => {
  // "<<" is a merge key (enabled, as in kubectl's YAML), so it does not round-trip as a plain key.
  const object = fc
    .dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }))
    .map((value) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>)
    .filter((value) => !JSON.stringify(value).includes('"<<"'));

  it('round-trips objects through YAML and JSON documents', () => {
    fc.assert(
      fc.property(fc.array(object, { minLength: 1, maxLength: 4 }), (objects) => {
        const yaml = objects.map((o) => stringify(o)).join('---\n');
        const fromYaml = parseManifests(yaml);
        expect(fromYaml.errors).toEqual([]);
        expect(fromYaml.documents.map((d) => d.ok && d.object)).toEqual(objects);
        const fromJson = parseManifests(objects.map((o) => JSON.stringify(o)).join('\n---\n'));
        expect(fromJson.documents.map((d) => d.ok && d.object)).toEqual(objects);
      }),
      { numRuns: 300 },
    );
  });
});
