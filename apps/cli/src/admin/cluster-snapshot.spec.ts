import { EventSequence } from '@berth/cluster-state';
import { RecordedEvent } from '@berth/contracts';
import { foldUpTo, LogPageReader, snapshotOf } from './cluster-snapshot';
import { renderSnapshot } from './snapshot.format';
import { parseAt } from './state-at';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:latest', ports: [{ containerPort: 80 }] }] } };
const deployment = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template },
});

/** A small history: a node, a deployment of 2 running replicas, a service, an HPA; then a scale to 3. */
function history(): { events: RecordedEvent[]; beforeScale: number } {
  const seq = new EventSequence();
  const events: RecordedEvent[] = [];
  const push = (streamId: string, type: string, data: unknown) => events.push(seq.advance(1000).next(streamId, type, data));
  push('node:n1', 'NodeRegistered', {
    labels: {},
    taints: [],
    capacity: { cpuMilli: 4000, memoryBytes: 8e9 },
    allocatable: { cpuMilli: 4000, memoryBytes: 8e9 },
    address: '127.0.0.2',
    info: {},
  });
  push('node:n1', 'NodeReady', {});
  push('deployment:default/web', 'DeploymentCreated', { manifest: deployment(2) });
  push('deployment:default/web', 'DeploymentRevisionCreated', { revision: 1, templateHash: 'h1', template });
  for (const uid of ['a', 'b']) {
    push(`replica:${uid}`, 'ReplicaCreated', { namespace: 'default', deployment: 'web', revision: 1, templateHash: 'h1', template, priority: 0 });
    push(`replica:${uid}`, 'ReplicaScheduled', { node: 'n1' });
    push(`replica:${uid}`, 'ReplicaStarted', { node: 'n1', containerId: `c-${uid}`, hostPorts: { '80': uid === 'a' ? 20001 : 20002 }, hostIp: '127.0.0.2' });
    push(`replica:${uid}`, 'ReplicaReady', { node: 'n1' });
  }
  push('service:default/web', 'ServiceCreated', {
    manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] } },
  });
  const hpaSpec = { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] };
  push('hpa:default/web', 'HorizontalPodAutoscalerCreated', { manifest: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: hpaSpec } });
  push('hpa:default/web', 'HorizontalPodAutoscalerStatusChanged', {
    status: { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 10 } } }] },
  });
  const beforeScale = events.length;
  push('hpa:default/web', 'HorizontalPodAutoscalerDecided', { currentReplicas: 2, desiredReplicas: 3, reason: 'cpu above target' });
  push('deployment:default/web', 'DeploymentScaled', { replicas: 3 });
  push('replica:c', 'ReplicaCreated', { namespace: 'default', deployment: 'web', revision: 1, templateHash: 'h1', template, priority: 0 });
  push('hpa:default/web', 'HorizontalPodAutoscalerStatusChanged', { status: { currentReplicas: 2, desiredReplicas: 3 } });
  push('deployment:team/other', 'DeploymentCreated', { manifest: { ...deployment(1), metadata: { name: 'other', namespace: 'team' } } });
  return { events, beforeScale };
}

/** EventStore.readAll over an array, counting the pages asked for. */
function reader(events: RecordedEvent[]): LogPageReader & { pages: number } {
  const read = Object.assign(
    async (after: number, limit: number) => {
      read.pages++;
      return events.filter((e) => e.globalPosition > after).slice(0, limit);
    },
    { pages: 0 },
  );
  return read;
}

describe('admin state: the cluster folded up to a position', () => {
  it('shows deployments (desired, bound, ready), services, HPAs, nodes and replicas as of the head', async () => {
    const { events } = history();
    const fold = await foldUpTo(reader(events), events.length);
    const snapshot = snapshotOf(fold, { position: events.length, headPosition: events.length });
    expect(snapshot.deployments).toEqual([
      { namespace: 'default', name: 'web', desired: 3, current: 3, bound: 2, ready: 2, revision: 1, paused: false, images: ['nginx:latest'] },
      { namespace: 'team', name: 'other', desired: 1, current: 0, bound: 0, ready: 0, revision: 0, paused: false, images: ['nginx:latest'] },
    ]);
    expect(snapshot.services).toEqual([{ namespace: 'default', name: 'web', type: 'NodePort', ports: ['80:30000/TCP'], selector: { app: 'web' }, endpoints: 2 }]);
    expect(snapshot.horizontalPodAutoscalers).toEqual([
      { namespace: 'default', name: 'web', reference: 'Deployment/web', targets: ['cpu: <unknown>/50%'], minReplicas: 2, maxReplicas: 5, currentReplicas: 2, desiredReplicas: 3 },
    ]);
    expect(snapshot.nodes).toEqual([{ name: 'n1', status: 'Ready', address: '127.0.0.2', cordoned: false, replicas: 2 }]);
    expect(snapshot.replicas.map((r) => [r.uid, r.phase, r.node ?? null, r.ready])).toEqual(
      expect.arrayContaining([
        ['a', 'Ready', 'n1', true],
        ['b', 'Ready', 'n1', true],
        ['c', 'Pending', null, false],
      ]),
    );
    expect(snapshot.replicas.every((r) => /^web-h1-[a-z0-9]{5}$/.test(r.name))).toBe(true);
    expect(snapshot.recordedAt).toBe(events[events.length - 1].recordedAt.toISOString());
  });

  it('goes back in time: before the scale there were 2 desired and the HPA wanted 2; pages do not matter', async () => {
    const { events, beforeScale } = history();
    for (const pageSize of [1, 3, 1000]) {
      const read = reader(events);
      const fold = await foldUpTo(read, beforeScale, pageSize);
      const snapshot = snapshotOf(fold, { position: beforeScale, headPosition: events.length });
      expect(snapshot.deployments).toEqual([expect.objectContaining({ name: 'web', desired: 2, current: 2, bound: 2, ready: 2 })]);
      expect(snapshot.horizontalPodAutoscalers[0]).toMatchObject({ currentReplicas: 2, desiredReplicas: 2, targets: ['cpu: 10%/50%'] });
      expect(snapshot.replicas.map((r) => r.uid).sort()).toEqual(['a', 'b']);
      expect(fold.cluster.position).toBe(beforeScale);
      // It stops reading once past the position.
      expect(read.pages).toBeLessThanOrEqual(Math.ceil(beforeScale / pageSize) + 1);
    }
    const empty = snapshotOf(await foldUpTo(reader(events), 0), { position: 0, headPosition: events.length });
    expect(empty).toMatchObject({ deployments: [], services: [], horizontalPodAutoscalers: [], nodes: [], replicas: [] });
  });

  it('filters by namespace and prints tables, one section per kind', async () => {
    const { events } = history();
    const snapshot = snapshotOf(await foldUpTo(reader(events), events.length), { position: events.length - 1, headPosition: events.length, namespace: 'default' });
    expect(snapshot.deployments.map((d) => d.name)).toEqual(['web']);
    const text = renderSnapshot(snapshot);
    expect(text).toContain(`Cluster state at position ${events.length - 1}, recorded `);
    expect(text).toContain(`(the log's head is ${events.length}) in namespace default\n`);
    expect(text).toMatch(/DEPLOYMENTS\nNAMESPACE +NAME +DESIRED +CURRENT +BOUND +READY +REVISION +IMAGES\ndefault +web +3 +3 +2 +2 +1 +nginx:latest\n/);
    expect(text).toMatch(/SERVICES\nNAMESPACE +NAME +TYPE +PORT\(S\) +ENDPOINTS +SELECTOR\ndefault +web +NodePort +80:30000\/TCP +2 +app=web\n/);
    expect(text).toMatch(/HORIZONTALPODAUTOSCALERS\n.*\ndefault +web +Deployment\/web +cpu: <unknown>\/50% +2 +5 +2 +3\n/);
    expect(text).toMatch(/NODES\nNAME +STATUS +ADDRESS +REPLICAS\nn1 +Ready +127\.0\.0\.2 +2\n/);
    expect(text).toMatch(/REPLICAS\n.*\ndefault +web-h1-\w{5} +web +(Ready|Pending) /);
    expect(renderSnapshot(snapshotOf(await foldUpTo(reader([]), 0), { position: 0, headPosition: 0 }))).toContain('DEPLOYMENTS\n(none)\n');
  });

  it('parses --at as a position or an RFC 3339 time, and names the flag otherwise', () => {
    expect(parseAt(undefined)).toEqual({ head: true });
    expect(parseAt('120')).toEqual({ position: 120 });
    expect(parseAt('2025-01-31T12:00:00Z')).toEqual({ time: new Date('2025-01-31T12:00:00Z') });
    expect(parseAt('2025-01-31T12:00:00.5+02:00')).toEqual({ time: new Date('2025-01-31T10:00:00.500Z') });
    expect(() => parseAt('-3')).toThrow('--at: must be a log position (an integer >= 0) or an RFC 3339 time such as 2025-01-31T12:00:00Z, got "-3"');
    expect(() => parseAt('yesterday')).toThrow('--at: must be');
  });
});
