import { readFileSync } from 'fs';
import { join } from 'path';
import { loadManifests } from './manifest.loader';
import { parseManifests } from './manifest.parser';

const seed = readFileSync(join(__dirname, '..', 'fixtures', 'nginx.yaml'), 'utf8');

describe('the seed example (fixtures/nginx.yaml)', () => {
  it('parses to exactly what it says', () => {
    const parsed = parseManifests(seed);
    expect(parsed.ok).toBe(true);
    expect(parsed.documents.map((d) => d.ok && d.object)).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'nginx' } },
          template: {
            metadata: { labels: { app: 'nginx' } },
            spec: { containers: [{ name: 'nginx', image: 'nginx:latest', ports: [{ containerPort: 80 }] }] },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'nginx-service' },
        spec: { selector: { app: 'nginx' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], type: 'LoadBalancer' },
      },
    ]);
  });

  it('validates unchanged, with the Kubernetes defaults applied and no warnings', () => {
    const loaded = loadManifests(seed);
    expect(loaded.ok).toBe(true);
    expect(loaded.errors).toEqual([]);
    expect(loaded.documents).toEqual([
      {
        document: 0,
        line: 2,
        ok: true,
        warnings: [],
        value: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'nginx-deployment', namespace: 'default', labels: { app: 'nginx' } },
          spec: {
            replicas: 3,
            selector: { matchLabels: { app: 'nginx' } },
            template: {
              metadata: { labels: { app: 'nginx' } },
              spec: {
                containers: [{ name: 'nginx', image: 'nginx:latest', imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
                restartPolicy: 'Always',
                terminationGracePeriodSeconds: 30,
              },
            },
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
            minReadySeconds: 0,
            revisionHistoryLimit: 10,
            progressDeadlineSeconds: 600,
            paused: false,
          },
        },
      },
      {
        document: 1,
        line: 24,
        ok: true,
        warnings: [],
        value: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'nginx-service', namespace: 'default' },
          spec: { selector: { app: 'nginx' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], type: 'LoadBalancer' },
        },
      },
    ]);
  });

  it('goes to the namespace asked for', () => {
    const loaded = loadManifests(seed, { namespace: 'team-a' });
    expect(loaded.documents.map((d) => d.ok && d.value.metadata)).toEqual([
      expect.objectContaining({ namespace: 'team-a' }),
      expect.objectContaining({ namespace: 'team-a' }),
    ]);
  });
});

describe('loadManifests: bad documents', () => {
  it('names the document, line and field of a validation error, and still loads the rest', () => {
    const bad = seed.replace('replicas: 3', 'replicas: -3').replace('image: nginx:latest', 'image: ""');
    const loaded = loadManifests(bad);
    expect(loaded.ok).toBe(false);
    expect(loaded.documents.map((d) => [d.document, d.ok])).toEqual([
      [0, false],
      [1, true],
    ]);
    expect(loaded.errors).toHaveLength(1);
    const [error] = loaded.errors;
    expect(error).toMatchObject({ reason: 'InvalidResource', document: 0, line: 2 });
    expect(error.message).toBe(
      'document[0] (line 2): Deployment.apps "nginx-deployment" is invalid: [spec.replicas: Invalid value: -3: must be greater than or equal to 0, spec.template.spec.containers[0].image: Required value]',
    );
    expect(error.status.details?.causes?.map((c) => c.field)).toEqual(['spec.replicas', 'spec.template.spec.containers[0].image']);
  });

  it('reports kinds Berth does not serve', () => {
    const loaded = loadManifests(`${seed}---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n`);
    expect(loaded.errors).toHaveLength(1);
    expect(loaded.errors[0]).toMatchObject({
      reason: 'UnrecognizedResource',
      document: 2,
      message: 'document[2] (line 37): no matches for kind "StatefulSet" in version "apps/v1"',
      status: { code: 400, reason: 'BadRequest' },
    });
  });

  it('passes decoding errors through', () => {
    const loaded = loadManifests(seed, { limits: { maxBytes: 10 } });
    expect(loaded).toMatchObject({ ok: false, documents: [], errors: [{ reason: 'BodyTooLarge', status: { code: 413 } }] });
  });

  it('keeps unknown-field warnings per document', () => {
    const loaded = loadManifests(seed.replace('  type: LoadBalancer', '  type: LoadBalancer\n  externalTrafficPolicy: Local'));
    expect(loaded.ok).toBe(true);
    expect(loaded.documents.map((d) => d.ok && d.warnings)).toEqual([[], ['unknown field "spec.externalTrafficPolicy"']]);
  });
});
