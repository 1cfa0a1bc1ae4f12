import { Grant } from '../shared/request-context';
import { AccessRequest, forbiddenMessage, isAllowed, requiredRole } from './access-policy';

const cluster = (role: Grant['role']): Grant => ({ role });
const inA = (role: Grant['role']): Grant => ({ role, namespace: 'a' });

describe('access policy', () => {
  const get: AccessRequest = { verb: 'get', resource: 'deployments', group: 'apps', namespace: 'a', name: 'web' };
  const create: AccessRequest = { verb: 'create', resource: 'deployments', group: 'apps', namespace: 'a' };
  const logs: AccessRequest = { verb: 'get', resource: 'pods/log', group: '', namespace: 'a', name: 'p' };
  const nodes: AccessRequest = { verb: 'list', resource: 'nodes', group: '', clusterScoped: true };
  const cordon: AccessRequest = { verb: 'patch', resource: 'nodes', group: '', clusterScoped: true, name: 'n1' };

  it.each([
    [cluster('view'), get, true],
    [cluster('view'), create, false],
    [cluster('view'), logs, false],
    [cluster('edit'), logs, true],
    [cluster('edit'), cordon, false],
    [cluster('admin'), cordon, true],
    [inA('admin'), cordon, false],
    [inA('view'), nodes, false],
    [cluster('view'), nodes, true],
    [inA('edit'), create, true],
    [inA('edit'), { ...create, namespace: 'b' }, false],
    [inA('view'), { ...get, namespace: undefined }, false],
    [inA('view'), { verb: 'get', resource: 'namespaces', group: '', clusterScoped: true, name: 'a' }, true],
    [inA('view'), { verb: 'get', resource: 'namespaces', group: '', clusterScoped: true, name: 'b' }, false],
    [inA('admin'), { verb: 'delete', resource: 'namespaces', group: '', clusterScoped: true, name: 'a' }, false],
  ] as [Grant, AccessRequest, boolean][])('%j %j -> %s', (grant, request, allowed) => {
    expect(isAllowed(grant, request)).toBe(allowed);
  });

  it('names the least role of each kind of request', () => {
    expect([get, create, logs, nodes, cordon].map(requiredRole)).toEqual(['view', 'edit', 'edit', 'view', 'admin']);
  });

  it('words a refusal like Kubernetes', () => {
    expect(forbiddenMessage('token:x', { verb: 'update', resource: 'deployments/scale', group: 'apps', namespace: 'a', name: 'web' })).toBe(
      'deployments.apps "web" is forbidden: User "token:x" cannot update resource "deployments/scale" in API group "apps" in the namespace "a"',
    );
    expect(forbiddenMessage('token:x', nodes)).toBe('nodes is forbidden: User "token:x" cannot list resource "nodes" in API group "" at the cluster scope');
  });
});
