import { Registry } from 'prom-client';
import { PlainCluster } from '../testing/cluster.fixture';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { toDesiredReplica } from './desired-replica.mapper';
import { DesiredStateHandler } from './desired-state.handler';
import { DesiredStateService } from './desired-state.service';

function cluster(): PlainCluster {
  const c = new PlainCluster().node('n1').node('n2');
  c.deployment('web', {
    replicas: 3,
    image: 'busybox:1',
    limits: { cpu: '500m', memory: '64Mi' },
    container: {
      command: ['httpd', '-f'],
      args: ['-p', '80'],
      env: [{ name: 'MODE', value: 'prod' }, { name: 'EMPTY' }],
      readinessProbe: { httpGet: { path: '/health', port: 80 }, periodSeconds: 2 },
      livenessProbe: { tcpSocket: { port: 80 } },
    },
    extraSpec: { terminationGracePeriodSeconds: 5 },
  });
  c.sync('web');
  return c;
}

describe('desired state', () => {
  it('converts a replica into what the agent runs', () => {
    const c = cluster();
    const replica = c.active('web')[0];
    const desired = toDesiredReplica(replica);
    expect(desired).toMatchObject({
      uid: replica.uid,
      namespace: 'default',
      deployment: 'web',
      templateHash: replica.templateHash,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: 'main',
          image: 'busybox:1',
          imagePullPolicy: 'IfNotPresent',
          command: ['httpd', '-f'],
          args: ['-p', '80'],
          env: { MODE: 'prod', EMPTY: '' },
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          limits: { cpuMilli: 500, memoryBytes: 64 * 1024 ** 2 },
          readinessProbe: { httpGet: { path: '/health', port: 80, scheme: 'HTTP' }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 0 },
          livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 10 },
        },
      ],
    });
    expect(desired.name).toMatch(new RegExp(`^web-${replica.templateHash}-[a-z0-9]{5}$`));
  });

  it("a node's set holds its bound replicas that are not being deleted, at the state's position", () => {
    const c = cluster();
    const [a, b, d] = c.active('web').map((r) => r.uid);
    c.schedule(a, 'n1').schedule(b, 'n1').schedule(d, 'n2');
    c.push(`replica:${b}`, 'ReplicaDeletionRequested', { reason: 'ScaledDown' });
    const service = new DesiredStateService(c.state);
    const set = service.stateFor('n1');
    expect(set.node).toBe('n1');
    expect(set.position).toBe(c.state.position);
    expect(set.replicas.map((r) => r.uid)).toEqual([a]);
    expect(service.stateFor('n2').replicas.map((r) => r.uid)).toEqual([d]);
    expect(service.stateFor('unknown').replicas).toEqual([]);
  });

  it("lists the node's terminating replicas until their stop is recorded, so the agent confirms even one it never ran", () => {
    const c = cluster();
    const [a, b, d] = c.active('web').map((r) => r.uid);
    c.schedule(a, 'n1').schedule(b, 'n1').schedule(d, 'n2');
    c.push(`replica:${a}`, 'ReplicaDeletionRequested', { reason: 'ScaledDown' });
    c.push(`replica:${b}`, 'ReplicaDeletionRequested', { reason: 'ScaledDown' });
    c.push(`replica:${b}`, 'ReplicaStopped', { node: 'n1' });
    const service = new DesiredStateService(c.state);
    expect(service.stateFor('n1')).toMatchObject({ replicas: [], terminating: [a] });
    expect(service.stateFor('n2').terminating).toEqual([]);
  });

  it('answers only for the node of the subject', () => {
    const c = cluster();
    const handler = new DesiredStateHandler({} as never, new DesiredStateService(c.state), new SchedulerMetrics(new Registry()));
    const body = (node: string) => new TextEncoder().encode(JSON.stringify({ node, bootId: 'b1' }));
    expect(handler.desiredFor('berth.node.n1.desired', body('n1')).node).toBe('n1');
    expect(() => handler.desiredFor('berth.node.n1.desired', body('n2'))).toThrow(/node: does not match the subject/);
    expect(() => handler.desiredFor('berth.node.n1.desired', new TextEncoder().encode('{}'))).toThrow(/node/);
  });
});
