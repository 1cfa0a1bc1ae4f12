import { validateResource } from './resource.validator';

const service = (ports: Record<string, unknown>[], type = 'ClusterIP') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { selector: { app: 'web' }, type, ports },
});

const causes = (object: unknown) => {
  const result = validateResource(object);
  if (result.ok) throw new Error('expected invalid');
  return result.status.details?.causes?.map((c) => c.message);
};

describe('Service spec.ports[].clusterPort', () => {
  it('is a known field, accepted on every service type', () => {
    for (const type of ['ClusterIP', 'NodePort', 'LoadBalancer']) {
      const result = validateResource(service([{ port: 80, clusterPort: 10080 }], type));
      expect(result).toMatchObject({ ok: true, warnings: [] });
      expect(result.ok && result.value.kind === 'Service' && result.value.spec.ports[0].clusterPort).toBe(10080);
    }
    expect(validateResource(service([{ port: 80, clusterPort: 0 }])).ok).toBe(true);
  });

  it('must be in the cluster port range', () => {
    expect(causes(service([{ port: 80, clusterPort: 30080 }]))).toEqual([
      'spec.ports[0].clusterPort: Invalid value: 30080: provided port is not in the valid range. The range of valid cluster ports is 10000-19999',
    ]);
  });

  it('is unique within the service', () => {
    expect(
      causes(
        service([
          { name: 'a', port: 80, clusterPort: 10080 },
          { name: 'b', port: 81, clusterPort: 10080 },
        ]),
      ),
    ).toEqual(['spec.ports[1].clusterPort: Duplicate value: 10080']);
  });
});
