import fc from 'fast-check';
import { formatFieldPath } from '@berth/contracts';
import { stringify } from 'yaml';
import { loadManifests } from './manifest.loader';
import { DEFAULT_MANIFEST_LIMITS, ParsedManifests } from './manifest-limits.model';
import { objectLimitsStatus, parseManifests } from './manifest.parser';

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

describe('the limits hold for any input', () => {
  // Values of every JSON type, NUL characters and lone surrogates included.
  const value = fc.jsonValue({ maxDepth: 5, depthSize: 'small' });
  const withNul = fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}\u0000${b}`);

  it('objectLimitsStatus never throws, and answers undefined or a 400/422 Status whose causes name fields', () => {
    fc.assert(
      fc.property(fc.oneof(fc.object({ values: [value, withNul] }), fc.anything()), (object) => {
        const status = objectLimitsStatus(object);
        if (status === undefined) return;
        expect([400, 422]).toContain(status.code);
        expect(status.kind).toBe('Status');
        if (status.code === 422) for (const cause of status.details?.causes ?? []) expect(typeof cause.field).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('a NUL anywhere in an object is refused, naming its path; without one, nothing is said about NUL', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 6 }), fc.array(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.includes('\u0000')), { minLength: 1, maxLength: 4 }), withNul, (base, path, bad) => {
        const object: Record<string, unknown> = JSON.parse(JSON.stringify(base).replace(/\\u0000/g, ''));
        let at = object;
        for (const key of path.slice(0, -1)) {
          const next = {};
          Object.defineProperty(at, key, { value: next, enumerable: true, writable: true, configurable: true });
          at = next;
        }
        Object.defineProperty(at, path[path.length - 1], { value: bad, enumerable: true, writable: true, configurable: true });
        const status = objectLimitsStatus(object);
        expect(status?.code).toBe(422);
        expect(status?.details?.causes?.map((c) => c.field)).toContain(formatFieldPath(path));
        delete at[path[path.length - 1]];
        const clean = objectLimitsStatus(object);
        expect(clean?.details?.causes?.some((c) => /NUL/.test(c.message ?? '')) ?? false).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('a list is accepted up to its limit and refused one past it, in YAML and JSON alike', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.boolean(), (limit, length, asYaml) => {
        const object = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: Array.from({ length }, (_, i) => ({ port: i + 1 })) } };
        const text = asYaml ? stringify(object) : JSON.stringify(object);
        const result = parseManifests(text, { fieldListLimits: { 'spec.ports': limit } });
        expect(result.ok).toBe(length <= limit);
        if (length > limit) expect(result.errors.map((e) => [e.reason, e.field, e.status.code])).toEqual([['ListTooLong', 'spec.ports', 422]]);
        expect(objectLimitsStatus(object, { fieldListLimits: { 'spec.ports': limit } }) === undefined).toBe(length <= limit);
      }),
      { numRuns: 300 },
    );
  });

  it('nesting is accepted up to maxDepth and refused beyond, as flow YAML, block YAML or JSON, without overflowing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * DEFAULT_MANIFEST_LIMITS.maxDepth }), fc.constantFrom('json', 'flow', 'block'), (depth, style) => {
        let inner: unknown = 1;
        for (let i = 1; i < depth; i++) inner = { a: inner };
        const object = { kind: 'X', spec: inner };
        const text = style === 'json' ? JSON.stringify(object) : style === 'flow' ? `kind: X\nspec: ${'{a: '.repeat(depth - 1)}1${'}'.repeat(depth - 1)}\n` : stringify(object);
        const result = parseManifests(text);
        // The document itself is one level; the parser allows two more for List wrappers.
        const total = depth;
        if (total < DEFAULT_MANIFEST_LIMITS.maxDepth) expect(result.ok).toBe(true);
        if (total > DEFAULT_MANIFEST_LIMITS.maxDepth + 2) expect(result.errors.map((e) => e.reason)).toEqual(['TooDeep']);
        expectWellFormed(result);
      }),
      { numRuns: 200 },
    );
  });

  it('alias expansion is bounded: small anchors load, bombs of any shape are refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.integer({ min: 1, max: 8 }), (width, levels) => {
        const lines = [`l0: &l0 [${Array(width).fill('x').join(', ')}]`];
        for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
        const started = Date.now();
        const result = parseManifests(`kind: X\n${lines.join('\n')}\n`);
        expect(Date.now() - started).toBeLessThan(2_000);
        expectWellFormed(result);
        // width^levels copies of the first list: small ones are fine, large ones are bombs.
        if (width ** levels > 10_000) expect(result.errors.map((e) => e.reason)).toEqual(['TooManyAliases']);
        if (width ** levels <= 16) expect(result.ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
