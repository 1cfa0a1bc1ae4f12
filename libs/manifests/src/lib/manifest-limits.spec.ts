import { DEFAULT_FIELD_LIST_LIMITS } from './manifest-limits.model';
import { objectLimitsStatus, parseManifests } from './manifest.parser';

const deployment = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', ...metadata },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }, ...spec },
});

const withContainer = (container: Record<string, unknown>) =>
  deployment({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ...container }] } } });

const many = <T,>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));

describe('objectLimitsStatus: the limits of one decoded object, as one Status', () => {
  it('is undefined for an object within every limit, and for what is not an object', () => {
    expect(objectLimitsStatus(deployment())).toBeUndefined();
    expect(objectLimitsStatus([1, 2])).toBeUndefined();
    expect(objectLimitsStatus('text')).toBeUndefined();
    expect(objectLimitsStatus(null)).toBeUndefined();
  });

  it.each(Object.entries(DEFAULT_FIELD_LIST_LIMITS))('limits %s to %d items', (pattern, max) => {
    const path = pattern.replace(/\[\*\]/g, '[0]');
    const segments = path.split(/\.|(?=\[)/).map((s) => (s.startsWith('[') ? Number(s.slice(1, -1)) : s));
    const object: Record<string, unknown> = { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' } };
    let at: Record<string | number, unknown> = object;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      const nextIsIndex = typeof segments[i + 1] === 'number';
      at[segment] ??= last ? [] : nextIsIndex ? [] : {};
      if (!last) at = at[segment] as Record<string | number, unknown>;
      if (!last && nextIsIndex && (at as unknown as unknown[]).length === 0) (at as unknown as unknown[]).push({});
    });
    at[segments[segments.length - 1]] = many(max, () => 'x');
    expect(objectLimitsStatus(object)).toBeUndefined();
    at[segments[segments.length - 1]] = many(max + 1, () => 'x');
    const status = objectLimitsStatus(object);
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status?.details?.causes).toEqual([{ reason: 'FieldValueTooMany', field: path, message: `${path}: Too many: ${max + 1}: must have at most ${max} items` }]);
  });

  it('names every broken field at once', () => {
    const status = objectLimitsStatus(withContainer({ env: many(1025, (i) => ({ name: `E${i}` })), ports: many(257, (i) => ({ containerPort: i + 1 })) }));
    expect(status?.details?.causes?.map((c) => c.field)).toEqual(['spec.template.spec.containers[0].env', 'spec.template.spec.containers[0].ports']);
    expect(status?.message).toMatch(/^Deployment.apps "web" is invalid: \[spec.template.spec.containers\[0\].env: Too many/);
  });

  it('limits annotations to 256 entries (labels to 64)', () => {
    const annotations = Object.fromEntries(many(257, (i) => [`a${i}`, 'v']));
    expect(objectLimitsStatus(deployment({}, { annotations }))?.details?.causes).toEqual([
      { reason: 'FieldValueTooMany', field: 'metadata.annotations', message: 'metadata.annotations: Too many: 257: must have at most 256 items' },
    ]);
    expect(objectLimitsStatus(deployment({}, { annotations: Object.fromEntries(many(256, (i) => [`a${i}`, 'v'])) }))).toBeUndefined();
    // Only where they are metadata: a field merely called "annotations" elsewhere is not counted.
    expect(objectLimitsStatus(deployment({ annotations }))).toBeUndefined();
  });

  it('refuses NUL in any string or key, naming where', () => {
    const status = objectLimitsStatus(deployment({ paused: 'a\u0000', ['b\u0000']: 1 }, { annotations: { note: '\u0000' } }));
    expect(status?.code).toBe(422);
    expect(status?.details?.causes?.map((c) => c.field)).toEqual(['metadata.annotations.note', 'spec.b\u0000', 'spec.paused']);
    expect(status?.details?.causes?.[0].message).toBe('metadata.annotations.note: Invalid value: "\\u0000": must not contain the NUL character (\\u0000)');
    // The object's name is left out of the message when it is the bad string.
    expect(objectLimitsStatus(deployment({}, { name: 'a\u0000' }))?.details?.name).toBe('');
  });

  it('answers 400 for nesting deeper than maxDepth', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(objectLimitsStatus(deployment({ deep }))).toMatchObject({ code: 400, reason: 'BadRequest', message: expect.stringMatching(/nested more than 64 levels deep$/) });
  });

  it('takes stricter limits', () => {
    expect(objectLimitsStatus(withContainer({ env: [{ name: 'A' }, { name: 'B' }] }), { fieldListLimits: { 'spec.template.spec.containers[*].env': 1 } })?.code).toBe(422);
    expect(objectLimitsStatus(deployment({}, { labels: { a: '1', b: '2' } }), { maxLabels: 1 })?.code).toBe(422);
  });
});

describe('parseManifests applies the same limits per document', () => {
  it('refuses a NUL escape in YAML, naming the document and field', () => {
    const result = parseManifests('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    x: "a\\0b"\n');
    expect(result.errors.map((e) => [e.reason, e.field, e.line, e.status.code])).toEqual([['InvalidCharacter', 'metadata.labels.x', 6, 422]]);
  });

  it('refuses a List item whose container list is too long', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [deployment(), withContainer({ args: many(1025, () => 'x') })] };
    const result = parseManifests(JSON.stringify(list));
    expect(result.errors.map((e) => [e.reason, e.item, e.field])).toEqual([['ListTooLong', 1, 'spec.template.spec.containers[0].args']]);
    expect(result.documents.map((d) => d.ok)).toEqual([true, false]);
  });
});
