import fc from 'fast-check';
import { RESOURCE_TYPES } from './resource-types.registry';
import { VALIDATOR_FAILURE_PREFIX, validateResource, ValidationResult } from './resource.validator';
import { STATUS_CAUSE_REASONS } from './status.schema';

type Obj = Record<string, unknown>;

const seeds: Obj[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'a' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ name: 'http', containerPort: 80 }],
              env: [{ name: 'A', value: 'b' }],
              resources: { requests: { cpu: '100m' }, limits: { cpu: '1', memory: '64Mi' } },
              livenessProbe: { httpGet: { path: '/', port: 'http' } },
            },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'z', operator: 'Exists' }] }] } } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
        },
      },
    },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] } },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      maxReplicas: 5,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'latency' }, target: { type: 'AverageValue', averageValue: '100m' } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }] } },
    },
  },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '4', memory: '8Gi' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
  { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e.1' }, involvedObject: { kind: 'Pod', name: 'p' }, type: 'Normal', count: 1 },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Running' } },
];

/** Every path of an object (as segment lists), so a property can break any one of them. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
  }
  return [];
}

function replaced(seed: Obj, path: (string | number)[], value: unknown): Obj {
  const copy = structuredClone(seed);
  let target = copy as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) target = target[segment] as Record<string | number, unknown>;
  target[path[path.length - 1]] = value;
  return copy;
}

const mutations = fc.oneof(
  ...seeds.map((seed) =>
    fc.tuple(fc.constantFrom(...pathsOf(seed)), fc.anything({ withBigInt: true, withDate: true, withMap: true, withNullPrototype: true, withSparseArray: true })).map(
      ([path, value]) => replaced(seed, path, value),
    ),
  ),
);

function expectWellFormed(result: ValidationResult): void {
  if (result.ok) {
    expect(Array.isArray(result.warnings)).toBe(true);
    expect(RESOURCE_TYPES.some((t) => t.kind === result.value.kind)).toBe(true);
    return;
  }
  expect(result.status.message.startsWith(VALIDATOR_FAILURE_PREFIX)).toBe(false);
  expect([400, 422]).toContain(result.status.code);
  for (const cause of result.status.details?.causes ?? []) {
    expect(STATUS_CAUSE_REASONS).toContain(cause.reason);
    expect(cause.message.startsWith(`${cause.field}: `)).toBe(true);
  }
}

describe('validateResource never throws', () => {
  it('on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true }), (value) => {
        expectWellFormed(validateResource(value));
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary objects claiming a known kind', () => {
    const kinds = fc.constantFrom(...RESOURCE_TYPES.map((t) => ({ apiVersion: t.apiVersion, kind: t.kind })));
    fc.assert(
      fc.property(kinds, fc.dictionary(fc.constantFrom('metadata', 'spec', 'status', 'type', 'involvedObject', 'x'), fc.anything()), (head, body) => {
        expectWellFormed(validateResource({ ...body, ...head }));
      }),
      { numRuns: 500 },
    );
  });

  it('on valid resources with any one field replaced by anything', () => {
    fc.assert(
      fc.property(mutations, (object) => {
        expectWellFormed(validateResource(object));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts the unmutated seeds', () => {
    for (const seed of seeds) expect(validateResource(seed)).toMatchObject({ ok: true, warnings: [] });
  });
});

describe('validateResource on generated valid Deployments', () => {
  const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/);
  const labelValue = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?$/);

  it('accepts them and keeps what the user wrote', () => {
    fc.assert(
      fc.property(dnsLabel, fc.integer({ min: 0, max: 10_000 }), labelValue, fc.integer({ min: 1, max: 65535 }), (name, replicas, app, port) => {
        const result = validateResource({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name },
          spec: {
            replicas,
            selector: { matchLabels: { app } },
            template: { metadata: { labels: { app } }, spec: { containers: [{ name, image: `${name}:1`, ports: [{ containerPort: port }] }] } },
          },
        });
        if (!result.ok || result.value.kind !== 'Deployment') throw new Error(JSON.stringify(result));
        expect(result.value.metadata.name).toBe(name);
        expect(result.value.spec.replicas).toBe(replicas);
        expect(result.value.spec.template.spec.containers[0]).toEqual({
          name,
          image: `${name}:1`,
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: port, protocol: 'TCP' }],
        });
      }),
    );
  });
});
