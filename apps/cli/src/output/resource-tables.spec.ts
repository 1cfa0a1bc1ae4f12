import type { KubeObject } from '../client/api.types';
import { findResourceKind, ResourceKind } from '../resources/resource-kinds';
import { ago, NOW } from '../testing/run-cli.fixture';
import { deployment, event, node, pod, service } from '../testing/objects.fixture';
import { hpaTargets, sortForTable, TableOptions, tableHeader, tableRow } from './resource-tables';

const kind = (name: string): ResourceKind => findResourceKind(name) as ResourceKind;
const base: TableOptions = { now: NOW, wide: false, withNamespace: false, withKind: false, showLabels: false };
const row = (k: string, object: unknown, options: Partial<TableOptions> = {}): string[] => tableRow(kind(k), object as KubeObject, { ...base, ...options });
const header = (k: string, options: Partial<TableOptions> = {}): string[] => tableHeader(kind(k), { ...base, ...options });

describe('deployment rows', () => {
  it('shows READY as ready/desired, up-to-date, available and age', () => {
    expect(header('deploy')).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(row('deploy', deployment('web', { replicas: 3, ready: 1, updated: 2, available: 1, ageSeconds: 300 }))).toEqual(['web', '1/3', '2', '1', '5m']);
  });
  it('adds containers, images and selector with -o wide', () => {
    expect(header('deploy', { wide: true }).slice(5)).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(row('deploy', deployment('web'), { wide: true }).slice(5)).toEqual(['nginx', 'nginx:latest', 'app=web']);
  });
  it('counts nothing as zero when the status is missing', () => {
    expect(row('deploy', { metadata: { name: 'new' }, spec: { replicas: 2 } })).toEqual(['new', '0/2', '0', '0', '<unknown>']);
  });
});

describe('pod rows', () => {
  it('shows ready containers, status, restarts and age; IP and NODE with wide', () => {
    expect(header('po', { wide: true })).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE']);
    expect(row('po', pod('web-1', { node: 'node-2', ip: '127.0.0.3' }), { wide: true })).toEqual(['web-1', '1/1', 'Running', '0', '2m', '127.0.0.3', 'node-2']);
  });
  it("prefers a waiting container's reason to the phase", () => {
    expect(row('pods', pod('web-1', { ready: false, waiting: 'CrashLoopBackOff', restarts: 4 }))[2]).toBe('CrashLoopBackOff');
    expect(row('pods', pod('web-1', { ready: false, waiting: 'CrashLoopBackOff' }))[1]).toBe('0/1');
  });
  it('shows Terminating for a pod being deleted, and ExitCode for an unexplained exit', () => {
    const deleting = { ...pod('a'), metadata: { ...pod('a').metadata, deletionTimestamp: ago(1) } };
    expect(row('pod', deleting)[2]).toBe('Terminating');
    const exited = pod('b');
    exited.status.containerStatuses[0].state = { terminated: { exitCode: 137 } } as never;
    expect(row('pod', exited)[2]).toBe('ExitCode:137');
  });
  it('shows when the last restart happened', () => {
    const restarted = pod('a', { restarts: 3 });
    (restarted.status.containerStatuses[0] as Record<string, unknown>).lastState = { terminated: { exitCode: 1, finishedAt: ago(120) } };
    expect(row('pod', restarted)[3]).toBe('3 (2m ago)');
  });
});

describe('service rows', () => {
  it('shows type, cluster IP, external IP and ports like kubectl', () => {
    expect(header('svc')).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(row('svc', service('web'))).toEqual(['web', 'ClusterIP', '<none>', '<none>', '80/TCP', '5m']);
    expect(row('svc', service('web', { type: 'LoadBalancer', nodePort: 30080 }))).toEqual(['web', 'LoadBalancer', '<none>', '<pending>', '80:30080/TCP', '5m']);
    const balanced = { ...service('web', { type: 'LoadBalancer' }), status: { loadBalancer: { ingress: [{ ip: '127.0.0.2' }, { hostname: 'lb.local' }] } } };
    expect(row('svc', balanced)[3]).toBe('127.0.0.2,lb.local');
  });
});

describe('node rows', () => {
  it('shows readiness, cordoning, roles, age and version', () => {
    expect(header('no')).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(row('no', node('node-1'))).toEqual(['node-1', 'Ready', '<none>', '4d', 'berth-0.1.0']);
    expect(row('no', node('node-2', { ready: false, unschedulable: true }))[1]).toBe('NotReady,SchedulingDisabled');
    const worker = { ...node('w'), metadata: { ...node('w').metadata, labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/edge': '' } } };
    expect(row('no', worker)[2]).toBe('edge,worker');
    expect(row('no', { metadata: { name: 'x' } })[1]).toBe('Unknown');
  });
});

describe('event rows', () => {
  it('shows last seen, type, reason, object and message', () => {
    expect(header('ev')).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(row('ev', event({ kind: 'Deployment', name: 'web' }, 'ScalingReplicaSet', 'Scaled up to 3 ', { lastSeconds: 30 }))).toEqual([
      '30s',
      'Normal',
      'ScalingReplicaSet',
      'deployment/web',
      'Scaled up to 3',
    ]);
  });
  it('sorts events oldest first and leaves other kinds in server order', () => {
    const events = [event({ kind: 'Pod', name: 'b' }, 'B', '', { lastSeconds: 5 }), event({ kind: 'Pod', name: 'a' }, 'A', '', { lastSeconds: 50 })];
    expect(sortForTable(kind('events'), events as KubeObject[]).map((e) => e.reason)).toEqual(['A', 'B']);
    const deployments = [deployment('z'), deployment('a')];
    expect(sortForTable(kind('deploy'), deployments as KubeObject[]).map((d) => d.metadata?.name)).toEqual(['z', 'a']);
  });
});

describe('hpa rows', () => {
  const hpa = (currentUtilization?: number, extraMetrics = 0) => ({
    metadata: { name: 'web', creationTimestamp: ago(60) },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        ...Array.from({ length: extraMetrics }, (_, i) => ({ type: 'Pods', pods: { metric: { name: `m${i}` }, target: { type: 'AverageValue', averageValue: '10' } } })),
      ],
    },
    status: {
      currentReplicas: 3,
      currentMetrics: currentUtilization === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentUtilization } } }],
    },
  });
  it('shows reference, targets, bounds and replicas', () => {
    expect(header('hpa')).toEqual(['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE']);
    expect(row('hpa', hpa(45))).toEqual(['web', 'Deployment/web', 'cpu: 45%/50%', '2', '10', '3', '60s']);
  });
  it('shows <unknown> before the first reading and summarises more than two metrics', () => {
    expect(hpaTargets(hpa(undefined) as never)).toBe('cpu: <unknown>/50%');
    expect(hpaTargets(hpa(45, 2) as never)).toBe('cpu: 45%/50%, m0: <unknown>/10 + 1 more...');
  });
});

describe('table options', () => {
  it('adds NAMESPACE first for namespaced kinds with -A, never for cluster kinds', () => {
    expect(header('deploy', { withNamespace: true })[0]).toBe('NAMESPACE');
    expect(row('deploy', deployment('web', { namespace: 'team-a' }), { withNamespace: true }).slice(0, 2)).toEqual(['team-a', 'web']);
    expect(header('nodes', { withNamespace: true })[0]).toBe('NAME');
  });
  it('qualifies names when several kinds are printed and adds labels with --show-labels', () => {
    expect(row('deploy', deployment('web'), { withKind: true })[0]).toBe('deployment.apps/web');
    expect(row('svc', service('web'), { withKind: true })[0]).toBe('service/web');
    expect(header('deploy', { showLabels: true }).at(-1)).toBe('LABELS');
    expect(row('deploy', deployment('web'), { showLabels: true }).at(-1)).toBe('app=web');
  });
});
