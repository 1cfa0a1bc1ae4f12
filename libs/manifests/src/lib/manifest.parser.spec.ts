import { ManifestError, ParsedManifests } from './manifest-limits.model';
import { parseManifests } from './manifest.parser';

const deploymentYaml = (name = 'web', extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx${extra}
`;

function onlyError(result: ParsedManifests): ManifestError {
  expect(result.ok).toBe(false);
  expect(result.errors).toHaveLength(1);
  return result.errors[0];
}

describe('parseManifests: documents', () => {
  it('splits multi-document YAML and skips empty documents, keeping their indexes', () => {
    const result = parseManifests(`---\n# nothing here\n---\n${deploymentYaml('a')}---\n---\n${deploymentYaml('b')}`);
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.documents.map((d) => [d.document, d.ok && (d.object.metadata as { name: string }).name])).toEqual([
      [1, 'a'],
      [3, 'b'],
    ]);
  });

  it('reports the first line of each document', () => {
    const result = parseManifests(`${deploymentYaml('a')}---\n\n${deploymentYaml('b')}`);
    expect(result.documents.map((d) => d.line)).toEqual([1, 21]);
  });

  it('reads JSON', () => {
    const result = parseManifests('{\n\t"apiVersion": "v1",\n\t"kind": "Namespace",\n\t"metadata": {"name": "team-a", "labels": {"a": "1"}}\n}');
    expect(result).toEqual({
      ok: true,
      errors: [],
      documents: [{ document: 0, line: 1, ok: true, object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { a: '1' } } } }],
    });
  });

  it('unwraps a kind: List into its items', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }] };
    const result = parseManifests(JSON.stringify(list));
    expect(result.ok).toBe(true);
    expect(result.documents).toEqual([
      { document: 0, item: 0, line: 1, ok: true, object: list.items[0] },
      { document: 0, item: 1, line: 1, ok: true, object: list.items[1] },
    ]);
  });

  it('supports YAML anchors and merge keys', () => {
    const result = parseManifests('base: &base {a: 1, b: 2}\nmerged:\n  <<: *base\n  b: 3\n');
    expect(result.documents[0]).toMatchObject({ ok: true, object: { base: { a: 1, b: 2 }, merged: { a: 1, b: 3 } } });
  });

  it('keeps YAML 1.2 scalars: no yes/no booleans, timestamps stay strings', () => {
    const result = parseManifests('a: yes\nb: 2024-01-31T12:00:00Z\nc: "80"\nd: 80\n');
    expect(result.documents[0]).toMatchObject({ ok: true, object: { a: 'yes', b: '2024-01-31T12:00:00Z', c: '80', d: 80 } });
  });

  it('accepts UTF-8 bytes', () => {
    const result = parseManifests(new TextEncoder().encode('kind: Namespace\nmetadata: {name: é}\n'));
    expect(result.documents[0]).toMatchObject({ ok: true, object: { metadata: { name: 'é' } } });
  });

  it('returns nothing for an empty body', () => {
    expect(parseManifests('')).toEqual({ ok: true, documents: [], errors: [] });
    expect(parseManifests('---\n---\n# only comments\n')).toEqual({ ok: true, documents: [], errors: [] });
  });
});

describe('parseManifests: malformed input', () => {
  it('rejects a body above the size limit with 413', () => {
    const error = onlyError(parseManifests(deploymentYaml(), { maxBytes: 100 }));
    expect(error).toMatchObject({ reason: 'BodyTooLarge', message: 'Request entity too large: limit is 100' });
    expect(error.document).toBeUndefined();
    expect(error.status).toMatchObject({ code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 100' });
  });

  it('counts bytes, not characters, and checks byte input too', () => {
    expect(onlyError(parseManifests('a: ééééé', { maxBytes: 10 })).reason).toBe('BodyTooLarge');
    expect(onlyError(parseManifests(new Uint8Array(11), { maxBytes: 10 })).reason).toBe('BodyTooLarge');
  });

  it('rejects a huge document under the default 3 MiB limit', () => {
    const huge = `kind: ConfigMap\ndata:\n${'  k: v\n'.repeat(500_000)}`;
    expect(onlyError(parseManifests(huge))).toMatchObject({ reason: 'BodyTooLarge', status: { code: 413 } });
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(onlyError(parseManifests(new Uint8Array([0x6b, 0x3a, 0x20, 0xff, 0xfe])))).toMatchObject({
      reason: 'InvalidEncoding',
      status: { code: 400, reason: 'BadRequest' },
    });
  });

  it('stops a billion-laughs alias bomb', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
    ].join('\n');
    const error = onlyError(parseManifests(`${deploymentYaml()}---\n${bomb}\n`));
    expect(error).toMatchObject({ reason: 'TooManyAliases', document: 1, line: 20, status: { code: 400, reason: 'BadRequest' } });
    expect(error.message).toMatch(/^document\[1\] \(line 20\): too many aliases \(more than 100\)/);
  });

  it('honours a stricter alias limit', () => {
    expect(parseManifests('a: &x 1\nb: *x\nc: *x\n', { maxAliases: 1 }).errors[0]?.reason).toBe('TooManyAliases');
    expect(parseManifests('a: &x 1\nb: *x\nc: *x\n').ok).toBe(true);
  });

  it('names the field where nesting gets too deep', () => {
    const nested = `kind: X\nspec:\n  a:\n    b:\n      c:\n        d: 1\n`;
    const error = onlyError(parseManifests(nested, { maxDepth: 3 }));
    expect(error).toMatchObject({ reason: 'TooDeep', document: 0, field: 'spec.a.b', line: 5, message: 'document[0] (line 5): spec.a.b: nested more than 3 levels deep' });
    expect(parseManifests(nested, { maxDepth: 5 }).ok).toBe(true);
  });

  it('survives hostile nesting that would overflow the YAML composer, and keeps the other documents', () => {
    const hostile = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const result = parseManifests(`${deploymentYaml('a')}---\n${hostile}\n---\n${deploymentYaml('b')}`);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ reason: 'TooDeep', document: 1, status: { code: 400 } });
    expect(result.errors[0].field).toMatch(/^(\[0\]){66}$/);
    expect(result.documents.map((d) => [d.document, d.ok])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
  });

  it('survives deep block nesting too', () => {
    let block = 'kind: X\n';
    for (let i = 0; i < 2000; i++) block += `${' '.repeat(i)}k:\n`;
    expect(onlyError(parseManifests(block))).toMatchObject({ reason: 'TooDeep', document: 0 });
  });

  it('limits list length, naming the list', () => {
    const error = onlyError(parseManifests(`${deploymentYaml()}      - name: b\n        image: b\n      - name: c\n        image: c\n`, { maxListLength: 2 }));
    expect(error).toMatchObject({
      reason: 'ListTooLong',
      document: 0,
      field: 'spec.template.spec.containers',
      line: 17,
      message: 'document[0] (line 17): spec.template.spec.containers: Too many: 3: must have at most 2 items',
    });
    expect(error.status).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Deployment.apps "web" is invalid: spec.template.spec.containers: Too many: 3: must have at most 2 items',
      details: { causes: [{ reason: 'FieldValueTooMany', field: 'spec.template.spec.containers' }] },
    });
  });

  it('limits name length', () => {
    const long = 'a'.repeat(300);
    const error = onlyError(parseManifests(deploymentYaml(long)));
    expect(error).toMatchObject({
      reason: 'NameTooLong',
      document: 0,
      field: 'metadata.name',
      line: 4,
      message: 'document[0] (line 4): metadata.name: Too long: may not be more than 253 bytes',
      status: { code: 422, details: { name: '', kind: 'Deployment', causes: [{ reason: 'FieldValueTooLong', field: 'metadata.name' }] } },
    });
  });

  it('limits the number of labels, wherever metadata.labels appears', () => {
    const result = parseManifests(deploymentYaml(), { maxLabels: 0 });
    expect(result.errors.map((e) => [e.reason, e.field, e.line])).toEqual([
      ['TooManyLabels', 'metadata.labels', 6],
      ['TooManyLabels', 'spec.template.metadata.labels', 14],
    ]);
    expect(result.errors[1].message).toBe('document[0] (line 14): spec.template.metadata.labels: Too many: 1: must have at most 0 items');
  });

  it('rejects documents that are not mappings', () => {
    const result = parseManifests(`- a\n- b\n---\njust a string\n---\n42\n`);
    expect(result.errors.map((e) => [e.reason, e.document, e.message])).toEqual([
      ['NotAMapping', 0, 'document[0] (line 1): must be a mapping (an object with apiVersion and kind), not a list'],
      ['NotAMapping', 1, 'document[1] (line 4): must be a mapping (an object with apiVersion and kind), not a string'],
      ['NotAMapping', 2, 'document[2] (line 6): must be a mapping (an object with apiVersion and kind), not a number'],
    ]);
  });

  it('reports YAML syntax errors with their line, and keeps the good documents', () => {
    const result = parseManifests(`${deploymentYaml('a')}---\nkind: X\nspec: [1,\n---\n${deploymentYaml('b')}`);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ reason: 'SyntaxError', document: 1, line: 22, status: { code: 400, reason: 'BadRequest' } });
    expect(result.errors[0].message).toMatch(/^document\[1\] \(line 22\): Flow sequence in block collection must be sufficiently indented/);
    expect(result.documents.filter((d) => d.ok).map((d) => d.document)).toEqual([0, 2]);
  });

  it('rejects duplicate keys', () => {
    expect(onlyError(parseManifests('kind: A\nkind: B\n'))).toMatchObject({ reason: 'SyntaxError', document: 0, message: expect.stringContaining('Map keys must be unique') });
  });

  it('rejects a stray closing bracket', () => {
    expect(onlyError(parseManifests(']'))).toMatchObject({ reason: 'SyntaxError', document: 0 });
  });

  it('limits the number of documents', () => {
    const result = parseManifests('a: 1\n---\nb: 2\n---\nc: 3\n', { maxDocuments: 2 });
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => [e.reason, e.message])).toEqual([['TooManyDocuments', 'the body has more than 2 documents']]);
  });

  it('rejects a List whose items are not a list', () => {
    expect(onlyError(parseManifests('apiVersion: v1\nkind: List\nitems: {a: 1}\n'))).toMatchObject({
      reason: 'InvalidList',
      document: 0,
      field: 'items',
      message: 'document[0] (line 1): items: Invalid value: must be a list, not a object',
    });
    expect(onlyError(parseManifests('apiVersion: v1\nkind: List\n'))).toMatchObject({ reason: 'InvalidList', field: 'items' });
  });

  it('names the List item that is not a mapping or breaks a limit', () => {
    const result = parseManifests('apiVersion: v1\nkind: List\nitems:\n- kind: A\n  metadata: {name: a}\n- 3\n- kind: B\n  metadata:\n    labels: {a: b, c: d}\n', { maxLabels: 1 });
    expect(result.errors.map((e) => [e.reason, e.document, e.item, e.field, e.line])).toEqual([
      ['NotAMapping', 0, 1, undefined, 6],
      ['TooManyLabels', 0, 2, 'metadata.labels', 9],
    ]);
    expect(result.errors[1].message).toBe('document[0] items[2] (line 9): metadata.labels: Too many: 2: must have at most 1 items');
    expect(result.documents.filter((d) => d.ok).map((d) => d.item)).toEqual([0]);
  });

  it('limits the length of the List itself', () => {
    const error = onlyError(parseManifests(JSON.stringify({ kind: 'List', items: [{}, {}, {}] }), { maxListLength: 2 }));
    expect(error).toMatchObject({ reason: 'ListTooLong', field: 'items', message: 'document[0] (line 1): items: Too many: 3: must have at most 2 items' });
  });

  it('rejects input that is not text', () => {
    expect(onlyError(parseManifests(42 as unknown as string))).toMatchObject({ reason: 'SyntaxError', message: 'the body must be text, not a number' });
  });
});
