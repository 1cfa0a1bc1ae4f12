import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import { stringify } from 'yaml';

/**
 * Generators of hostile HTTP requests for the gateway fuzz test: mutated manifests of every
 * kind sent with every verb, random paths and query strings, odd content types, YAML bombs,
 * deep and huge documents. Plain data in, plain data out; the spec sends them to a real gateway.
 */

export interface HostileRequest {
  /** What kind of generator made it (printed when a property fails). */
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Sends a request byte for byte as generated (fetch would normalise methods, paths and headers). */
export function send(baseUrl: string, input: HostileRequest, timeoutMs = 60_000): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...input.headers };
    if (input.body) headers['content-length'] = input.body.length;
    const req = httpRequest({ host: url.hostname, port: url.port, method: input.method, path: input.path, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(input.body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

// ---------------------------------------------------------------------------------------------
// Values

/** A marker for numbers JSON.stringify cannot write (1e400, -0, 1.0): replaced in the encoded text, JSON or YAML. */
const RAW = '@@raw@@:';
const rawNumber = fc.constantFrom('1e400', '-1e400', '-0', '1.0', '123456789012345678901234567890', '0.000000000000000000001', '1E2', '2147483648').map((n) => `${RAW}${n}`);
const RAW_IN_TEXT = /["']?@@raw@@:([-+.\dEe]+)["']?/g;

function unraw(text: string): string {
  return text.replace(RAW_IN_TEXT, '$1');
}

export function toJsonText(value: unknown): string {
  return unraw(JSON.stringify(value));
}

const strangeStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFFx',
  '\u202Eevil',
  '💥🚢',
  'İıǅß',
  'ｗｅｂ',
  'web\n',
  '\t\r\n',
  '..',
  '.',
  '/',
  'a/b',
  '%00',
  '%2e%2e',
  '${jndi:ldap://127.0.0.1/x}',
  '<script>alert(1)</script>',
  "'; DROP TABLE events; --",
  '__proto__',
  'constructor',
  'prototype',
  '1e400',
  '0x10',
  '１２',
  '100Mi',
  '-1',
  '0.5',
  'NaN',
  'Infinity',
  'true',
  'null',
  '~',
  '*',
  '>',
  'berth.node.x.>',
  'a'.repeat(63),
  'a'.repeat(64),
  'a'.repeat(253),
  'a'.repeat(254),
);

const longString = fc.constantFrom(1024, 4096, 70_000, 300_000).map((n) => 'x'.repeat(n));

const numbers = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5, 5e-324, 65535, 65536, 30000, 32767, 32768),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  rawNumber,
);

/** Scalars that break type, range and encoding assumptions (short ones: lists repeat them). */
const smallScalar: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: numbers },
  { weight: 3, arbitrary: strangeStrings },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

export const hostileScalar: fc.Arbitrary<Json> = fc.oneof({ weight: 12, arbitrary: smallScalar }, { weight: 1, arbitrary: longString });

function nested(depth: number, leaf: Json, asList: boolean): Json {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asList ? [value] : { a: value };
  return value;
}

/** Lists and maps far larger than any real manifest holds. */
const hugeList = fc.tuple(fc.constantFrom(2, 65, 257, 1_025, 5_000, 12_000), smallScalar, fc.boolean()).map(([n, item, asObjects]) =>
  Array.from({ length: n }, (_, i) => (asObjects ? { name: `n${i}`, value: item, containerPort: 1 + (i % 65535) } : item)),
);
const manyKeys = fc.constantFrom(65, 300, 5_000).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`])));
const deep = fc.tuple(fc.integer({ min: 10, max: 400 }), fc.boolean()).map(([depth, asList]) => nested(depth, 1, asList));

export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 8, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: hugeList },
  { weight: 1, arbitrary: manyKeys },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.constantFrom<Json>({}, [], [null], [{}], { '': '' }, JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as Json) },
);

// ---------------------------------------------------------------------------------------------
// Manifests of every kind, and mutations of them

export const NAMES = ['web', 'api', 'db', 'cache', 'x'] as const;
export const NAMESPACES = ['default', 'fuzz'] as const;

export function deployment(name: string, namespace: string): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name, tier: 'fuzz' }, annotations: { 'berth.dev/note': 'fuzz' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      minReadySeconds: 0,
      revisionHistoryLimit: 3,
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 5,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'main',
              image: 'nginx:1.27',
              imagePullPolicy: 'IfNotPresent',
              command: ['httpd', '-f'],
              args: ['-p', '80'],
              env: [{ name: 'MODE', value: 'fuzz' }],
              ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
              resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
              readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

export function service(name: string, namespace: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app: name } },
    spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] },
  };
}

export function hpa(name: string, namespace: string): JsonObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }] } },
    },
  };
}

export function namespaceObject(name: string): JsonObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: 'fuzz' } } };
}

interface KindRoutes {
  kind: string;
  manifest(name: string, namespace: string): JsonObject;
  collection(namespace: string): string;
  item(namespace: string, name: string): string;
}

export const KINDS: readonly KindRoutes[] = [
  { kind: 'Namespace', manifest: (name) => namespaceObject(name), collection: () => '/api/v1/namespaces', item: (_ns, name) => `/api/v1/namespaces/${name}` },
  { kind: 'Deployment', manifest: deployment, collection: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`, item: (ns, name) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}` },
  { kind: 'Service', manifest: service, collection: (ns) => `/api/v1/namespaces/${ns}/services`, item: (ns, name) => `/api/v1/namespaces/${ns}/services/${name}` },
  {
    kind: 'HorizontalPodAutoscaler',
    manifest: hpa,
    collection: (ns) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`,
    item: (ns, name) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`,
  },
];

type Segment = string | number;

/** Paths to the values inside `value` (the root included), breadth first, down to 12 levels and at most 2,000 of them. */
function pathsOf(value: Json, maxDepth = 12, maxPaths = 2_000): Segment[][] {
  const out: Segment[][] = [];
  const queue: [Json, Segment[]][] = [[value, []]];
  for (let next = queue.shift(); next && out.length < maxPaths; next = queue.shift()) {
    const [current, path] = next;
    out.push(path);
    if (path.length >= maxDepth || current === null || typeof current !== 'object') continue;
    const entries: [Segment, Json][] = Array.isArray(current) ? current.map((item, i) => [i, item]) : Object.entries(current);
    for (const [key, item] of entries.slice(0, maxPaths)) queue.push([item, [...path, key]]);
  }
  return out;
}

function valueAt(root: Json, path: Segment[]): Json {
  let value = root;
  for (const segment of path) value = (value as Record<string, Json>)[segment as string];
  return value;
}

function parentOf(root: Json, path: Segment[]): { parent: Json; key: Segment } | undefined {
  if (path.length === 0) return undefined;
  let parent = root;
  for (const segment of path.slice(0, -1)) parent = (parent as Record<string, Json>)[segment as string];
  return { parent, key: path[path.length - 1] };
}

export type MutationAction = 'set' | 'setString' | 'delete' | 'addSibling' | 'wrapInList' | 'stringify' | 'duplicateItem';

export interface Mutation {
  at: number;
  action: MutationAction;
  key: string;
  value: Json;
  /** For setString: replaces a string already there, so the manifest stays valid in shape but carries it. */
  text: string;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  action: fc.constantFrom<MutationAction>('set', 'set', 'set', 'setString', 'setString', 'delete', 'addSibling', 'wrapInList', 'stringify', 'duplicateItem'),
  text: fc.oneof(strangeStrings, fc.string({ unit: 'binary', maxLength: 30 })),
  key: fc.oneof(fc.constantFrom('name', 'labels', 'ports', 'env', 'containers', 'replicas', 'spec', 'metadata', '__proto__', 'x-unknown', ''), fc.string({ maxLength: 12 })),
  value: hostileValue,
});

function setOwn(object: Record<string, Json> | Json[], key: Segment, value: Json): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies the mutations to a copy; each picks its target among the paths that exist at that moment. */
export function mutate(object: JsonObject, mutations: readonly Mutation[]): Json {
  let root: Json = structuredClone(object);
  for (const m of mutations) {
    const paths = pathsOf(root);
    const path = paths[m.at % paths.length];
    const located = parentOf(root, path);
    const current = located ? (located.parent as Record<string, Json>)[located.key as string] : root;
    const replace = (value: Json) => {
      if (!located) root = value;
      else if (Array.isArray(located.parent)) located.parent[located.key as number] = value;
      else setOwn(located.parent as Record<string, Json>, located.key, value);
    };
    switch (m.action) {
      case 'set':
        // A copy: constant arbitraries hand out the same object every time, and mutations edit in place.
        replace(structuredClone(m.value));
        break;
      case 'setString': {
        const strings = paths.filter((p) => typeof valueAt(root, p) === 'string');
        if (strings.length === 0) break;
        const target = parentOf(root, strings[m.at % strings.length]);
        if (target) setOwn(target.parent as Record<string, Json>, target.key, m.text);
        break;
      }
      case 'delete':
        if (located && Array.isArray(located.parent)) located.parent.splice(located.key as number, 1);
        else if (located) delete (located.parent as Record<string, Json>)[located.key as string];
        break;
      case 'addSibling':
        if (located && located.parent && typeof located.parent === 'object' && !Array.isArray(located.parent)) setOwn(located.parent, m.key, structuredClone(m.value));
        else if (located && Array.isArray(located.parent)) located.parent.push(structuredClone(m.value));
        break;
      case 'wrapInList':
        replace([current]);
        break;
      case 'stringify':
        replace(typeof current === 'string' ? current : JSON.stringify(current) ?? 'undefined');
        break;
      case 'duplicateItem':
        if (located && Array.isArray(located.parent)) located.parent.push(structuredClone(current));
        break;
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Bodies, content types, paths, queries

export const OBJECT_TYPES = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml'] as const;
export const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'] as const;

const oddContentType = fc.constantFrom(
  'text/plain',
  'application/json; charset=latin1',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  ' application/yaml ; x=1',
  'application/json, application/yaml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '*/*',
  'application/',
  ';',
  'application/json-patch+json',
  'application/apply-patch+yaml',
  'application/vnd.kubernetes.protobuf',
);

export interface EncodedBody {
  body: Buffer;
  contentType: string;
}

/** A JSON value as the body, in the encoding its content type names (or a mismatched one). */
export function encodeBody(value: Json, contentType: string): Buffer {
  const yaml = /yaml/i.test(contentType);
  if (!yaml) return Buffer.from(toJsonText(value));
  try {
    return Buffer.from(unraw(stringify(value, { aliasDuplicateObjects: true })));
  } catch {
    return Buffer.from(toJsonText(value));
  }
}

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates included) except the characters `keep` matches. */
export function percentEncode(text: string, keep = /[A-Za-z0-9_.~-]/): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && keep.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const hostileName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(63), 'a'.repeat(64), 'a'.repeat(253), 'a'.repeat(254), 'a'.repeat(5000)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('Web', 'web_1', '-web', 'web-', '%2e%2e', '..', '%2F', 'a%2Fb', '%00', '%ZZ', '%', '%E0%A4%A', '%F0%9F%92%A5', '%C0%AF', 'web%20x', 'web;x', 'web:x', '~', '@', '$'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => percentEncode(s)) },
);

const hostileNamespace = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMESPACES) },
  { weight: 1, arbitrary: fc.constantFrom('nowhere', 'kube-system', 'Default', '%00', 'a'.repeat(64), '..', '%2F') },
);

const queryKey = fc.constantFrom(
  'labelSelector',
  'fieldSelector',
  'limit',
  'continue',
  'resourceVersion',
  'dryRun',
  'namespace',
  'tailLines',
  'follow',
  'container',
  'previous',
  'sinceSeconds',
  'pretty',
  'propagationPolicy',
  'gracePeriodSeconds',
  '__proto__',
  'x',
);
const queryValue = fc.oneof(
  fc.constantFrom('', 'All', 'true', '1', '-1', '0', '99999999999999999999', 'app=web', 'app in (a,b)', 'app in (a', '!app', 'metadata.name=web', 'spec.replicas=1', 'eyJhIjoxfQ', 'a'.repeat(5000)),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** A query string; `watch` only with a 1 s timeout so the test never waits on an endless stream. */
const query = fc
  .tuple(fc.array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 4 }), fc.boolean(), fc.nat(20))
  .map(([pairs, watch, roll]) => {
    const parts = pairs.map(([key, value, raw]) => `${key}=${percentEncode(value, raw ? /[\x21-\x7e]/ : /[A-Za-z0-9_.~-]/)}`);
    if (watch && roll === 0) parts.push('watch=true', 'timeoutSeconds=1');
    return parts.length > 0 ? `?${parts.join('&')}` : '';
  });

const authorization = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('Bearer ', 'Bearer x', 'Basic YWRtaW46YWRtaW4=', 'bearer  berth_x_y', `Bearer ${'a'.repeat(8000)}`, 'Bearer berth_000000000000_' + 'A'.repeat(43), 'Negotiate') },
);

const pointer = fc.oneof(
  fc.constantFrom('', '/', '/spec', '/spec/replicas', '/metadata', '/metadata/labels', '/metadata/labels/app', '/metadata/name', '/spec/template/spec/containers/0', '/spec/template/spec/containers/-', '/spec/ports/0/port', '/a~2b', '/~', '/spec/x/y/z', '/__proto__/x', '/spec/template/spec/containers/99999999999999999999'),
  fc.array(fc.oneof(fc.constantFrom('spec', 'metadata', 'template', '0', '-', 'labels'), fc.string({ maxLength: 6 })), { maxLength: 5 }).map((tokens) => tokens.map((t) => `/${t}`).join('')),
);

export function jsonPatchOperation(): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.record({ op: fc.constantFrom('add', 'replace', 'test'), path: pointer, value: hostileValue }),
    fc.record({ op: fc.constantFrom('remove'), path: pointer }),
    fc.record({ op: fc.constantFrom('move', 'copy'), from: pointer, path: pointer }),
    fc.record({ op: fc.string({ maxLength: 6 }), path: hostileScalar, from: hostileScalar }),
    hostileValue,
  );
}

/** A JSON Patch that copies a part of the object into itself again and again: its size doubles with each operation. */
export function copyBomb(operations: number, from = '/spec'): Json[] {
  return Array.from({ length: operations }, (_, i) => ({ op: 'copy', from, path: `${from}/c${i}` }));
}

/** A manifest request: every kind, every verb, mutated body, any content type. */
export const manifestRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    verb: fc.constantFrom('create', 'create', 'replace', 'mergePatch', 'jsonPatch', 'delete', 'get', 'list'),
    name: hostileName,
    bodyName: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }),
    namespace: hostileNamespace,
    mutations: fc.array(mutation, { maxLength: 4 }),
    contentType: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...OBJECT_TYPES) }, { weight: 1, arbitrary: oddContentType }),
    patch: fc.oneof(
      { weight: 8, arbitrary: fc.array(jsonPatchOperation(), { minLength: 1, maxLength: 6 }) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 5, max: 60 }), fc.constantFrom('/spec', '/metadata', '')).map(([n, from]) => copyBomb(n, from)) },
      { weight: 1, arbitrary: fc.constantFrom(10_001, 20_000).map((n) => Array.from({ length: n }, () => ({ op: 'test', path: '', value: {} }))) },
    ),
    query,
    authorization,
  })
  .map(({ kind, verb, name, bodyName, namespace, mutations, contentType, patch, query: q, authorization: auth }) => {
    const headers: Record<string, string> = auth ? { authorization: auth } : {};
    const label = `${verb} ${kind.kind}`;
    const object = mutate(kind.manifest(bodyName, namespace), mutations);
    switch (verb) {
      case 'create':
        return { label, method: 'POST', path: `${kind.collection(namespace)}${q}`, headers: { ...headers, 'content-type': contentType }, body: encodeBody(object, contentType) };
      case 'replace':
        return { label, method: 'PUT', path: kind.item(namespace, name), headers: { ...headers, 'content-type': contentType }, body: encodeBody(object, contentType) };
      case 'mergePatch': {
        const type = contentType.includes('json') && !contentType.includes('patch') ? 'application/merge-patch+json' : contentType;
        return { label, method: 'PATCH', path: kind.item(namespace, name), headers: { ...headers, 'content-type': type }, body: encodeBody(mutate({ spec: {}, metadata: {} }, mutations), 'json') };
      }
      case 'jsonPatch':
        return { label, method: 'PATCH', path: kind.item(namespace, name), headers: { ...headers, 'content-type': 'application/json-patch+json' }, body: Buffer.from(toJsonText(patch)) };
      case 'delete':
        return { label, method: 'DELETE', path: `${kind.item(namespace, name)}${q}`, headers };
      case 'get':
        return { label, method: 'GET', path: `${kind.item(namespace, name)}${q}`, headers };
      default:
        return { label, method: 'GET', path: `${kind.collection(namespace)}${q}`, headers };
    }
  });

// ---------------------------------------------------------------------------------------------
// YAML built to hurt: alias bombs, deep nesting, many documents, strange tags, long keys

function aliasBomb(width: number, levels: number): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(',')}]`];
  for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(',')}]`);
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bomb\n${lines.join('\n')}\n`;
}

const deepYaml = fc.tuple(fc.integer({ min: 30, max: 3000 }), fc.constantFrom('flow-seq', 'flow-map', 'block')).map(([depth, style]) => {
  if (style === 'flow-seq') return `kind: List\nitems: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
  if (style === 'flow-map') return `kind: Deployment\nspec: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
  return `kind: Deployment\n${Array.from({ length: Math.min(depth, 400) }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} 1\n`;
});

const manyDocuments = fc.constantFrom(2, 50, 1_001, 5_000).map((n) => Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns${i % 3}\n`).join('---\n'));

const mergeKeys = fc.integer({ min: 1, max: 200 }).map(
  (n) => `base: &b {a: 1, b: [1, 2, 3]}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: merged\n${Array.from({ length: n }, (_, i) => `m${i}: {<<: *b}`).join('\n')}\n`,
);

const taggedScalars = fc
  .array(fc.constantFrom('!!binary aGVsbG8=', '!!set {a, b}', '!!omap [a: 1]', '!!timestamp 2001-12-14t21:59:43.10-05:00', '!!float .nan', '!!float -.inf', '!!int 0x1f', '!!int 0o17', '!foo bar', '!!js/function "function(){}"', '!<tag:yaml.org,2002:str> x', '!!null ""', '!!bool yes', '!!str 1e400', '1e400', '0b1010', '.inf', '0o777', '12:30:00'), { minLength: 1, maxLength: 6 })
  .map((values) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: tagged\nspec:\n  replicas: ${values[0]}\n${values.map((v, i) => `  t${i}: ${v}`).join('\n')}\n`);

const yamlToken = fc.constantFrom(
  '---\n', '...\n', ':', ': ', '- ', '\n', '  ', '[', ']', '{', '}', ',', '&a ', '*a', '<<: ', '"', "'", '#', '!!str ', '!!binary ', '%YAML 1.2\n', '%TAG ! tag:x,2000:\n', '|\n', '>-\n', '? ', 'kind: List\n', 'items:\n',
  'apiVersion: v1\n', 'apiVersion: apps/v1\n', 'kind: Deployment\n', 'kind: Namespace\n', 'metadata:\n  name: ', 'x', '1', 'null', '~', '\t', '\r', '\uFEFF', '\u0000', '\u0085', '\u2028',
);

export const hostileYaml: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 9 })).map(([width, levels]) => aliasBomb(width, levels)),
  deepYaml,
  manyDocuments,
  mergeKeys,
  taggedScalars,
  fc.array(yamlToken, { maxLength: 80 }).map((tokens) => tokens.join('')),
  fc.constantFrom(`${'k'.repeat(2000)}: 1\n`, `"${'k'.repeat(2000)}": 1\n`, 'a: 1\na: 2\n', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: dup, name: dup}\n', `s: "${'\\u0000'.repeat(10)}"\n`),
);

/** Hostile YAML sent where YAML is read: object creates, replaces and /apply. */
export const yamlRequest: fc.Arbitrary<HostileRequest> = fc
  .tuple(hostileYaml, fc.constantFrom('create', 'replace', 'apply'), fc.constantFrom(...KINDS), fc.constantFrom('application/yaml', 'text/yaml', 'application/x-yaml'))
  .map(([yaml, verb, kind, contentType]) => {
    const headers = { 'content-type': contentType };
    const body = Buffer.from(yaml);
    if (verb === 'apply') return { label: 'apply yaml', method: 'POST', path: '/apply', headers, body };
    if (verb === 'replace') return { label: `replace ${kind.kind} yaml`, method: 'PUT', path: kind.item('default', 'web'), headers, body };
    return { label: `create ${kind.kind} yaml`, method: 'POST', path: kind.collection('default'), headers, body };
  });

/** Objects for /apply: lists and multi-document bodies of mutated manifests. */
export const applyRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    items: fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.constantFrom(...NAMES), fc.constantFrom(...NAMESPACES), fc.array(mutation, { maxLength: 3 })), { minLength: 1, maxLength: 5 }),
    asList: fc.boolean(),
    contentType: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...OBJECT_TYPES) }, { weight: 1, arbitrary: oddContentType }),
    query: fc.constantFrom('', '?dryRun=All', '?namespace=fuzz', '?namespace=Bad_NS', '?dryRun=yes'),
  })
  .map(({ items, asList, contentType, query: q }) => {
    const objects = items.map(([kind, name, namespace, mutations]) => mutate(kind.manifest(name, namespace), mutations));
    let body: Buffer;
    if (asList) body = encodeBody({ apiVersion: 'v1', kind: 'List', items: objects }, contentType);
    else if (/yaml/.test(contentType)) body = Buffer.concat(objects.map((o, i) => Buffer.concat([Buffer.from(i > 0 ? '---\n' : ''), encodeBody(o, contentType)])));
    else body = Buffer.from(objects.map((o) => toJsonText(o)).join('\n'));
    return { label: 'apply objects', method: 'POST', path: `/apply${q}`, headers: { 'content-type': contentType }, body };
  });

// ---------------------------------------------------------------------------------------------
// Everything else: subresources, other routes, random paths and methods

const subresourceRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    name: hostileName,
    namespace: hostileNamespace,
    which: fc.constantFrom('scale-get', 'scale-put', 'scale-patch', 'rollback', 'status', 'history', 'node-get', 'node-patch', 'node-drain', 'pod-get', 'pod-delete', 'pod-log', 'events', 'event'),
    value: hostileValue,
    replicas: fc.oneof(numbers, hostileScalar),
    query,
  })
  .map(({ name, namespace, which, value, replicas, query: q }): HostileRequest => {
    const dep = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
    const json = { 'content-type': 'application/json' };
    const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace }, spec: { replicas } };
    switch (which) {
      case 'scale-get':
        return { label: which, method: 'GET', path: `${dep}/scale`, headers: {} };
      case 'scale-put':
        return { label: which, method: 'PUT', path: `${dep}/scale`, headers: json, body: Buffer.from(toJsonText(scale)) };
      case 'scale-patch':
        return { label: which, method: 'PATCH', path: `${dep}/scale`, headers: { 'content-type': 'application/merge-patch+json' }, body: Buffer.from(toJsonText({ spec: { replicas } })) };
      case 'rollback':
        return { label: which, method: 'POST', path: `${dep}/rollback`, headers: json, body: Buffer.from(toJsonText({ toRevision: value })) };
      case 'status':
        return { label: which, method: 'GET', path: `${dep}/status${q}`, headers: {} };
      case 'history':
        return { label: which, method: 'GET', path: `${dep}/history`, headers: {} };
      case 'node-get':
        return { label: which, method: 'GET', path: `/api/v1/nodes/${name}${q}`, headers: {} };
      case 'node-patch':
        return { label: which, method: 'PATCH', path: `/api/v1/nodes/${name}`, headers: { 'content-type': 'application/merge-patch+json' }, body: Buffer.from(toJsonText({ spec: { unschedulable: value } })) };
      case 'node-drain':
        return { label: which, method: 'POST', path: `/api/v1/nodes/${name}/drain`, headers: {} };
      case 'pod-get':
        return { label: which, method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${name}${q}`, headers: {} };
      case 'pod-delete':
        return { label: which, method: 'DELETE', path: `/api/v1/namespaces/${namespace}/pods/${name}`, headers: {} };
      case 'pod-log':
        return { label: which, method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${name}/log${q}`, headers: {} };
      case 'events':
        return { label: which, method: 'GET', path: `/api/v1/namespaces/${namespace}/events${q}`, headers: {} };
      default:
        return { label: which, method: 'GET', path: `/api/v1/namespaces/${namespace}/events/${name}`, headers: {} };
    }
  });

const KNOWN_PATHS = [
  '/',
  '/api',
  '/api/v1',
  '/apis',
  '/apis/apps',
  '/apis/apps/v1',
  '/apis/autoscaling/v2',
  '/apis/nope/v9',
  '/version',
  '/openapi.json',
  '/docs',
  '/healthz',
  '/metrics',
  '/apply',
  '/api/v1/namespaces',
  '/api/v1/namespaces/default',
  '/api/v1/services',
  '/api/v1/pods',
  '/api/v1/nodes',
  '/api/v1/events',
  '/apis/apps/v1/deployments',
  '/apis/autoscaling/v2/horizontalpodautoscalers',
  '/apis/apps/v1/namespaces/default/deployments/web',
  '/apis/apps/v1/namespaces/default/deployments/web/scale',
];

const segment = fc.oneof(
  fc.constantFrom('api', 'apis', 'v1', 'apps', 'namespaces', 'default', 'deployments', 'services', 'pods', 'nodes', 'log', 'scale', 'status', 'web', '..', '.', '', '%2e%2e', '%2F', '%00', '%', '%ZZ', '%E0%A4%A', '~', 'a'.repeat(300)),
  fc.string({ maxLength: 10 }).map((s) => percentEncode(s)),
);

const randomPath = fc.oneof(
  fc.constantFrom(...KNOWN_PATHS),
  fc.array(segment, { minLength: 0, maxLength: 8 }).map((segments) => `/${segments.join('/')}`),
  fc.constantFrom('//', '//a@b?c#d@e', '//?x#y@z', '?x', 'api/v1/namespaces', '*', '@', 'http://127.0.0.1/api/v1', '/api//v1', '/api/v1/namespaces/default/deployments/../../../../etc/passwd', `/${'a/'.repeat(2000)}`, '/?'.padEnd(9000, 'x'), '/api/v1/namespaces?limit=1&limit=2', '/api/v1/namespaces?labelSelector[]=x'),
);

const anyMethod = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') },
  { weight: 2, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'LOCK', 'MKCOL', 'M-SEARCH') },
);

const randomBody = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
  hostileValue.map((v) => Buffer.from(toJsonText(v))),
  fc.constantFrom(Buffer.from('{'), Buffer.from('null'), Buffer.from('[]'), Buffer.from('\uFEFF{}'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('{"a":1}{"b":2}')),
);

const randomHeaders = fc
  .record({
    contentType: fc.option(fc.oneof(fc.constantFrom(...OBJECT_TYPES, ...PATCH_TYPES), oddContentType), { nil: undefined }),
    accept: fc.option(fc.constantFrom('application/json', 'application/yaml', 'text/html', '*/*', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf'), { nil: undefined }),
    requestId: fc.option(fc.oneof(fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')), fc.constant('r'.repeat(5000))), { nil: undefined }),
    traceparent: fc.option(fc.constantFrom('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'garbage', '00-' + 'f'.repeat(32) + '-' + 'f'.repeat(16) + '-ff'), { nil: undefined }),
    authorization,
  })
  .map(({ contentType, accept, requestId, traceparent, authorization: auth }) => {
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (accept !== undefined) headers['accept'] = accept;
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    if (traceparent !== undefined) headers['traceparent'] = traceparent;
    if (auth !== undefined) headers['authorization'] = auth;
    return headers;
  });

/** Any method on any path with any headers and body. */
export const randomRequest: fc.Arbitrary<HostileRequest> = fc
  .record({ method: anyMethod, path: randomPath, query, headers: randomHeaders, body: randomBody })
  .map(({ method, path, query: q, headers, body }) => ({ label: `random ${method}`, method, path: path.includes('?') ? path : `${path}${q}`, headers, ...(body ? { body } : {}) }));

/** One line that says what the request was, short enough for a failure report. */
export function describeRequest(input: HostileRequest): string {
  const body = input.body ? ` body(${input.body.length} B)=${JSON.stringify(input.body.subarray(0, 300).toString('utf8'))}` : '';
  return `[${input.label}] ${input.method} ${input.path.slice(0, 300)} ${JSON.stringify(input.headers).slice(0, 300)}${body}`;
}

/** fast-check prints counterexamples with this, not the (megabytes long) request itself. */
function printable(input: HostileRequest): HostileRequest {
  return Object.assign(input, { [fc.toStringMethod]: () => describeRequest(input) });
}

/** The whole mix the fuzz test draws from. */
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc
  .oneof(
    { weight: 10, arbitrary: manifestRequest },
    { weight: 3, arbitrary: applyRequest },
    { weight: 3, arbitrary: yamlRequest },
    { weight: 3, arbitrary: subresourceRequest },
    { weight: 4, arbitrary: randomRequest },
  )
  .map(printable);
