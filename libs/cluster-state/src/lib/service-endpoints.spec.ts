import fc from 'fast-check';
import { RecordedEvent } from '@berth/contracts';
import { emptyClusterState, foldEvents } from './cluster-state.reducer';
import { EventSequence } from './event-sequence';
import { serviceEndpoints } from './service-endpoints';
import { allocateNodePort, NODE_PORT_MIN } from './service-state';

function svc(name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', annotations }, spec };
}

function replica(seq: EventSequence, uid: string, labels: Record<string, string>, ports: Record<string, unknown>[], namespace = 'default'): RecordedEvent[] {
  const stream = `replica:${uid}`;
  return [
    seq.next(stream, 'ReplicaCreated', {
      namespace,
      deployment: 'web',
      revision: 1,
      templateHash: 'h1',
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'x', ports }] } },
      priority: 0,
    }),
    seq.next(stream, 'ReplicaScheduled', { node: 'n1' }),
    seq.next(stream, 'ReplicaStarted', { node: 'n1', containerId: `c-${uid}`, hostIp: '127.0.0.2', hostPorts: { '80': 20001, '8080': 20002 } }),
  ];
}

const webPorts = [{ containerPort: 80, name: 'http' }, { containerPort: 8080, name: 'admin' }];

describe('service endpoints', () => {
  it('are the ready replicas matching the selector, in its namespace, at hostIp:hostPort of the target port', () => {
    const seq = new EventSequence();
    const events = [
      seq.next('service:default/web', 'ServiceCreated', { manifest: svc('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] }) }),
      ...replica(seq, 'a', { app: 'web', tier: 'x' }, webPorts),
      seq.next('replica:a', 'ReplicaReady', { node: 'n1' }),
      ...replica(seq, 'b', { app: 'web' }, webPorts),
      ...replica(seq, 'c', { app: 'other' }, webPorts),
      seq.next('replica:c', 'ReplicaReady', { node: 'n1' }),
      ...replica(seq, 'd', { app: 'web' }, webPorts, 'elsewhere'),
      seq.next('replica:d', 'ReplicaReady', { node: 'n1' }),
    ];
    const state = foldEvents(events);
    const service = state.services.get('default/web');
    if (!service) throw new Error('service missing');
    expect(serviceEndpoints(state, service, service.ports[0])).toEqual([{ id: 'a', node: 'n1', address: '127.0.0.2', port: 20001, ready: true, draining: false }]);
    // b becomes ready: it joins; a stops being ready: it leaves.
    const later = foldEvents([seq.next('replica:b', 'ReplicaReady', { node: 'n1' }), seq.next('replica:a', 'ReplicaNotReady', { node: 'n1' })], state);
    expect(serviceEndpoints(later, service, service.ports[0]).map((e) => e.id)).toEqual(['b']);
  });

  it('resolves a named targetPort through the container port names', () => {
    const seq = new EventSequence();
    const state = foldEvents([
      seq.next('service:default/web', 'ServiceCreated', { manifest: svc('web', { selector: { app: 'web' }, ports: [{ name: 'admin', port: 9000, targetPort: 'admin' }, { name: 'none', port: 9001, targetPort: 'missing' }] }) }),
      ...replica(seq, 'a', { app: 'web' }, webPorts),
      seq.next('replica:a', 'ReplicaReady', { node: 'n1' }),
    ]);
    const service = state.services.get('default/web');
    if (!service) throw new Error('service missing');
    expect(serviceEndpoints(state, service, service.ports[0]).map((e) => e.port)).toEqual([20002]);
    expect(serviceEndpoints(state, service, service.ports[1])).toEqual([]);
  });

  it('keeps a deletion-requested ready replica as draining until it stops', () => {
    const seq = new EventSequence();
    const state = foldEvents([
      seq.next('service:default/web', 'ServiceCreated', { manifest: svc('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }) }),
      ...replica(seq, 'a', { app: 'web' }, webPorts),
      seq.next('replica:a', 'ReplicaReady', { node: 'n1' }),
      seq.next('replica:a', 'ReplicaDeletionRequested', { reason: 'ScaledDown' }),
    ]);
    const service = state.services.get('default/web');
    if (!service) throw new Error('service missing');
    expect(serviceEndpoints(state, service, service.ports[0])).toEqual([{ id: 'a', node: 'n1', address: '127.0.0.2', port: 20001, ready: true, draining: true }]);
    const stopped = foldEvents([seq.next('replica:a', 'ReplicaStopped', { node: 'n1' })], state);
    expect(serviceEndpoints(stopped, service, service.ports[0])).toEqual([]);
  });

  it('an empty selector selects nothing', () => {
    const seq = new EventSequence();
    const state = foldEvents([
      seq.next('service:default/web', 'ServiceCreated', { manifest: svc('web', { ports: [{ port: 80 }] }) }),
      ...replica(seq, 'a', { app: 'web' }, webPorts),
      seq.next('replica:a', 'ReplicaReady', { node: 'n1' }),
    ]);
    const service = state.services.get('default/web');
    if (!service) throw new Error('service missing');
    expect(serviceEndpoints(state, service, service.ports[0])).toEqual([]);
  });
});

describe('services in the state and nodePort allocation', () => {
  const nodePorts = (state: ReturnType<typeof emptyClusterState>, key: string) => state.services.get(key)?.ports.map((p) => p.nodePort);

  it('allocates the lowest free port in log order, keeps it on update, frees it on delete', () => {
    const seq = new EventSequence();
    const lb = svc('lb', { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }, { 'berth.io/load-balancing': 'least-connections' });
    let state = foldEvents([
      seq.next('service:default/fixed', 'ServiceCreated', { manifest: svc('fixed', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }) }),
      seq.next('service:default/lb', 'ServiceCreated', { manifest: lb }),
      seq.next('service:default/cip', 'ServiceCreated', { manifest: svc('cip', { ports: [{ port: 80 }] }) }),
    ]);
    expect(nodePorts(state, 'default/fixed')).toEqual([30001]);
    expect(nodePorts(state, 'default/lb')).toEqual([30000, 30002]);
    expect(nodePorts(state, 'default/cip')).toEqual([undefined]);
    expect(state.services.get('default/lb')).toMatchObject({ type: 'LoadBalancer', selector: { app: 'web' }, annotations: { 'berth.io/load-balancing': 'least-connections' } });
    // An update that reorders and adds ports keeps the ports they had.
    const updated = svc('lb', { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'b', port: 81 }, { name: 'c', port: 82 }, { name: 'a', port: 80 }] });
    state = foldEvents([seq.next('service:default/lb', 'ServiceUpdated', { manifest: updated })], state);
    expect(nodePorts(state, 'default/lb')).toEqual([30002, 30003, 30000]);
    state = foldEvents([seq.next('service:default/fixed', 'ServiceDeleted', {}), seq.next('service:default/new', 'ServiceCreated', { manifest: svc('new', { type: 'NodePort', ports: [{ port: 1 }] }) })], state);
    expect(state.services.has('default/fixed')).toBe(false);
    expect(nodePorts(state, 'default/new')).toEqual([30001]);
  });

  it('every reader computes the same ports, however the log is batched; no two services share one', () => {
    const arbService = fc.record({
      name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      op: fc.constantFrom('create', 'update', 'delete'),
      ports: fc.integer({ min: 1, max: 3 }),
      fixed: fc.option(fc.integer({ min: 30000, max: 30010 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(arbService, { maxLength: 30 }), fc.integer({ min: 1, max: 30 }), (ops, split) => {
        const seq = new EventSequence();
        const events: RecordedEvent[] = ops.map(({ name, op, ports, fixed }) => {
          const stream = `service:default/${name}`;
          if (op === 'delete') return seq.next(stream, 'ServiceDeleted', {});
          const list = Array.from({ length: ports }, (_, i) => ({ name: `p${i}`, port: 80 + i, ...(i === 0 && fixed ? { nodePort: fixed } : {}) }));
          return seq.next(stream, op === 'create' ? 'ServiceCreated' : 'ServiceUpdated', { manifest: svc(name, { type: 'NodePort', ports: list }) });
        });
        const whole = foldEvents(events);
        const batched = foldEvents(events.slice(split), foldEvents(events.slice(0, split)));
        expect([...batched.services]).toEqual([...whole.services]);
        // Allocated ports never collide with each other (declared ones may, if the gateway let them through).
        const allocated = [...whole.services.values()].flatMap((s) => s.ports.filter((p, i) => !(i === 0 && asDeclared(s.manifest))).map((p) => p.nodePort));
        expect(new Set(allocated).size).toBe(allocated.length);
      }),
    );
  });

  it('allocateNodePort takes the lowest free port, undefined when the range is full', () => {
    expect(allocateNodePort(new Set())).toBe(NODE_PORT_MIN);
    expect(allocateNodePort(new Set([30000, 30001, 30003]))).toBe(30002);
    expect(allocateNodePort(new Set(Array.from({ length: 2768 }, (_, i) => 30000 + i)))).toBeUndefined();
  });
});

function asDeclared(manifest: Readonly<Record<string, unknown>>): boolean {
  const ports = (manifest['spec'] as { ports: { nodePort?: number }[] }).ports;
  return ports[0]?.nodePort !== undefined;
}
