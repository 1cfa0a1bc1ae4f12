/** Kubernetes API discovery documents: what kubectl-style clients read to learn the resources. */

export interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const GROUP_VERSIONS: Record<string, ApiResource[]> = {
  v1: [
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create', 'delete', 'get', 'list', 'watch'], shortNames: ['ns'] },
    { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list', 'patch', 'watch'], shortNames: ['no'] },
    { name: 'nodes/drain', singularName: '', namespaced: false, kind: 'Status', verbs: ['create'] },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: [...READ, 'delete'], shortNames: ['po'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: WRITE, shortNames: ['svc'] },
    { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: READ, shortNames: ['ev'] },
  ],
  'apps/v1': [
    { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: WRITE, shortNames: ['deploy'] },
    { name: 'deployments/scale', singularName: '', namespaced: true, kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get'] },
    { name: 'deployments/history', singularName: '', namespaced: true, kind: 'DeploymentHistory', verbs: ['get'] },
    { name: 'deployments/rollback', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['create'] },
  ],
  'autoscaling/v2': [
    { name: 'horizontalpodautoscalers', singularName: 'horizontalpodautoscaler', namespaced: true, kind: 'HorizontalPodAutoscaler', verbs: WRITE, shortNames: ['hpa'] },
  ],
  'metrics.k8s.io/v1beta1': [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};

const GROUPS = ['apps', 'autoscaling', 'metrics.k8s.io'];

export function apiVersions() {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
}

export function apiGroup(name: string) {
  const versions = Object.keys(GROUP_VERSIONS)
    .filter((gv) => gv.startsWith(`${name}/`))
    .map((groupVersion) => ({ groupVersion, version: groupVersion.split('/')[1] }));
  if (versions.length === 0) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions, preferredVersion: versions[0] };
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map((name) => apiGroup(name)) };
}

export function apiResourceList(groupVersion: string) {
  const resources = GROUP_VERSIONS[groupVersion];
  if (!resources) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

export function versionInfo() {
  return {
    major: '1',
    minor: '31',
    gitVersion: 'v1.31.0-berth.0.1.0',
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: '',
    compiler: 'node',
    platform: `${process.platform}/${process.arch}`,
    berthVersion: process.env['npm_package_version'] ?? '0.1.0',
  };
}
