import { canonicalJson, replicaName, templateHash } from './template-hash';

const template = { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } };

describe('templateHash', () => {
  it('ignores key order and undefined fields', () => {
    const reordered = { spec: { containers: [{ image: 'nginx:1', name: 'web', command: undefined }] }, metadata: { labels: { tier: 'front', app: 'web' } } };
    expect(templateHash(reordered)).toBe(templateHash(template));
    expect(canonicalJson({ b: 1, a: [undefined, { d: 2, c: 1 }] })).toBe('{"a":[null,{"c":1,"d":2}],"b":1}');
  });

  it('changes with the template and ignores a pod-template-hash label', () => {
    const other = { ...template, spec: { containers: [{ name: 'web', image: 'nginx:2' }] } };
    expect(templateHash(other)).not.toBe(templateHash(template));
    const labelled = { ...template, metadata: { labels: { ...template.metadata.labels, 'pod-template-hash': 'abc' } } };
    expect(templateHash(labelled)).toBe(templateHash(template));
  });

  it('uses only Kubernetes-safe characters, 10 of them', () => {
    expect(templateHash(template)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  it('names replicas <deployment>-<hash>-<suffix>, stable per uid', () => {
    const name = replicaName('web', 'abc', 'uid-1');
    expect(name).toMatch(/^web-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(replicaName('web', 'abc', 'uid-1')).toBe(name);
    expect(replicaName('web', 'abc', 'uid-2')).not.toBe(name);
  });
});
