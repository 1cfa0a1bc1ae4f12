import { PlainCluster } from '../testing/cluster.fixture';
import { PlacementPlanner } from './placement-planner';
import { requestsOf, ReplicaSpecMapper, templateProfile } from './replica-spec.mapper';
import { SchedulingQueue } from './scheduling-queue';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

function planner(preemption = true): PlacementPlanner {
  return new PlacementPlanner(new ReplicaSpecMapper(), { scoringStrategy: 'LeastAllocated', preemption, nominationTimeoutMs: 60_000 });
}

function bindAll(c: PlainCluster, plan: ReturnType<PlacementPlanner['plan']>): void {
  for (const b of plan.bindings) c.schedule(b.uid, b.node);
}

describe('placement planner', () => {
  it('spreads a deployment over the nodes', () => {
    const c = new PlainCluster().node('n1').node('n2').node('n3').deployment('web', { replicas: 3, requests: { cpu: '100m', memory: '64Mi' } });
    c.sync('web');
    const plan = planner().plan(c.state, new SchedulingQueue({ initialMs: 1000, maxMs: 10_000 }), c.now);
    expect(plan.bindings).toHaveLength(3);
    expect(new Set(plan.bindings.map((b) => b.node))).toEqual(new Set(['n1', 'n2', 'n3']));
  });

  it('reports the counted reason once, and retries only after a cluster change and the backoff', () => {
    const c = new PlainCluster().node('n1', { cpuMilli: 500 }).node('n2', { cpuMilli: 500 }).node('n3', { ready: false }).deployment('big', { replicas: 1, requests: { cpu: '2' } });
    c.sync('big');
    const queue = new SchedulingQueue({ initialMs: 1000, maxMs: 10_000 });
    const p = planner();
    const first = p.plan(c.state, queue, c.now);
    expect(first.bindings).toEqual([]);
    expect(first.unschedulable).toHaveLength(1);
    expect(first.unschedulable[0].message).toBe('0/3 nodes are available: 2 Insufficient cpu, 1 node(s) were not ready.');
    c.push(`replica:${first.unschedulable[0].uid}`, 'ReplicaUnschedulable', { message: first.unschedulable[0].message });
    // Nothing changed: not tried again, however long we wait.
    expect(p.plan(c.state, queue, c.now + 60_000).attempted).toBe(0);
    expect(queue.nextDueAt()).toBeUndefined();
    queue.clusterChanged();
    expect(queue.nextDueAt()).toBe(c.now + 1000);
    expect(p.plan(c.state, queue, c.now + 500).attempted).toBe(0);
    const again = p.plan(c.state, queue, c.now + 1000);
    expect(again.attempted).toBe(1);
    // Same reason: not appended again.
    expect(again.unschedulable).toEqual([]);
    c.node('n4', { cpuMilli: 4000 });
    queue.clusterChanged();
    const placed = p.plan(c.state, queue, c.now + 5000);
    expect(placed.bindings.map((b) => b.node)).toEqual(['n4']);
  });

  it('keeps cordoned and draining nodes out and counts them', () => {
    const c = new PlainCluster().node('n1').node('n2').deployment('web', { replicas: 1 });
    c.push('node:n1', 'NodeCordoned', {}).push('node:n2', 'NodeDrainRequested', {});
    c.sync('web');
    const plan = planner().plan(c.state, new SchedulingQueue({ initialMs: 1, maxMs: 1 }), c.now);
    expect(plan.unschedulable[0].message).toBe('0/2 nodes are available: 2 node(s) were unschedulable.');
  });

  it('preempts lower-priority replicas for a higher-priority one and holds the place while they stop', () => {
    const c = new PlainCluster().node('n1', { cpuMilli: 1000 }).deployment('low', { replicas: 2, requests: { cpu: '500m' } });
    c.sync('low');
    const p = planner();
    const queue = new SchedulingQueue({ initialMs: 1, maxMs: 1 });
    bindAll(c, p.plan(c.state, queue, c.now));
    c.deployment('high', { replicas: 1, requests: { cpu: '500m' }, priority: 1000 });
    c.sync('high');
    const plan = p.plan(c.state, queue, c.now);
    expect(plan.bindings).toEqual([]);
    expect(plan.preemptions).toHaveLength(1);
    expect(plan.preemptions[0].victims).toHaveLength(1);
    expect(plan.preemptions[0].node).toBe('n1');
    const victim = plan.preemptions[0].victims[0].uid;
    c.push(`replica:${victim}`, 'ReplicaDeletionRequested', { reason: 'Preempted' });
    // The victim's replacement is created; it must not take the place the preemptor waits for.
    c.sync('low');
    const waiting = p.plan(c.state, queue, c.now + 10);
    expect(waiting.preemptions).toEqual([]);
    expect(waiting.bindings).toEqual([]);
    c.reap(victim);
    queue.clusterChanged();
    const after = p.plan(c.state, queue, c.now + 20);
    expect(after.bindings.map((b) => b.uid)).toEqual([c.active('high')[0].uid]);
  });
});

describe('replica spec mapping', () => {
  it('sums requests, lets a limit stand in for a missing request, and maps scheduling constraints', () => {
    const c = new PlainCluster().deployment('web', {
      requests: { cpu: '250m' },
      limits: { cpu: '500m', memory: '128Mi' },
      extraSpec: {
        nodeSelector: { disk: 'ssd' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
      },
      container: { ports: [{ containerPort: 80, hostPort: 8080 }] },
    });
    const template = must(c.state.deployments.get('default/web')).spec.template;
    expect(requestsOf(template)).toEqual({ cpuMilli: 250, memoryBytes: 128 * 1024 ** 2 });
    expect(templateProfile('default', 'web', template)).toMatchObject({
      labels: { app: 'web' },
      hostPorts: [8080],
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } }] } },
    });
  });
});
