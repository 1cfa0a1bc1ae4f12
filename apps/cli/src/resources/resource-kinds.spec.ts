import { collectionPath, findResourceKind, kindOfObject, objectPath, qualifiedName, RESOURCE_KINDS, resolveResourceKind, ResourceKind } from './resource-kinds';

describe('kind names and aliases', () => {
  it.each([
    ['deployments', 'Deployment'],
    ['deployment', 'Deployment'],
    ['deploy', 'Deployment'],
    ['Deployment', 'Deployment'],
    ['deployments.apps', 'Deployment'],
    ['deploy.v1.apps', 'Deployment'],
    ['pods', 'Pod'],
    ['po', 'Pod'],
    ['services', 'Service'],
    ['svc', 'Service'],
    ['nodes', 'Node'],
    ['no', 'Node'],
    ['namespaces', 'Namespace'],
    ['ns', 'Namespace'],
    ['events', 'Event'],
    ['ev', 'Event'],
    ['hpa', 'HorizontalPodAutoscaler'],
    ['horizontalpodautoscalers', 'HorizontalPodAutoscaler'],
    ['horizontalpodautoscalers.autoscaling', 'HorizontalPodAutoscaler'],
  ])('%s -> %s', (name, kind) => {
    expect(findResourceKind(name)?.kind).toBe(kind);
  });

  it('refuses unknown names and wrong groups with kubectl words', () => {
    expect(findResourceKind('deployments.batch')).toBeUndefined();
    expect(findResourceKind('scale')).toBeUndefined();
    expect(() => resolveResourceKind('replicasets')).toThrow('the server doesn\'t have a resource type "replicasets"');
  });

  it('every short name points at exactly one kind', () => {
    const names = RESOURCE_KINDS.flatMap((k) => [k.resource, k.singular, ...k.shortNames]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('finds the kind of a manifest object', () => {
    expect(kindOfObject('Service')?.resource).toBe('services');
    expect(kindOfObject('ConfigMap')).toBeUndefined();
  });
});

describe('paths and names', () => {
  const k = (name: string): ResourceKind => resolveResourceKind(name);
  it('builds core, grouped, namespaced and cluster paths', () => {
    expect(collectionPath(k('deploy'), 'prod')).toBe('/apis/apps/v1/namespaces/prod/deployments');
    expect(collectionPath(k('deploy'), undefined)).toBe('/apis/apps/v1/deployments');
    expect(collectionPath(k('po'), 'default')).toBe('/api/v1/namespaces/default/pods');
    expect(collectionPath(k('no'), 'default')).toBe('/api/v1/nodes');
    expect(objectPath(k('hpa'), 'default', 'web')).toBe('/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web');
    expect(objectPath(k('deploy'), 'default', 'web', 'scale')).toBe('/apis/apps/v1/namespaces/default/deployments/web/scale');
    expect(objectPath(k('ns'), 'ignored', 'team-a')).toBe('/api/v1/namespaces/team-a');
  });
  it('qualifies names like kubectl', () => {
    expect(qualifiedName(k('deploy'))).toBe('deployment.apps');
    expect(qualifiedName(k('svc'))).toBe('service');
    expect(qualifiedName(k('hpa'))).toBe('horizontalpodautoscaler.autoscaling');
  });
});
