import { nodeServicesSchema, parseMessage } from '@berth/contracts';
import { PlainCluster } from '../testing/cluster.fixture';
import { NodeServicesHandler } from './node-services.handler';
import { affectsServices, NodeServicesPublisher } from './node-services.publisher';

function cluster(): { c: PlainCluster; uids: string[] } {
  const c = new PlainCluster().node('n1').node('n2');
  c.deployment('web', { replicas: 2, image: 'busybox:1' });
  c.sync('web');
  const uids = c.active('web').map((r) => r.uid);
  uids.forEach((uid, i) => {
    const node = i === 0 ? 'n1' : 'n2';
    c.schedule(uid, node).push(`replica:${uid}`, 'ReplicaStarted', { node, containerId: `c-${uid}`, hostPorts: { '80': 20000 + i }, hostIp: i === 0 ? '127.0.0.2' : '127.0.0.3' });
  });
  c.ready(uids[0]);
  c.push('service:default/web', 'ServiceCreated', {
    manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', annotations: { 'berth.io/load-balancing': 'least-connections' } }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP', appProtocol: 'http' }] } },
  });
  return { c, uids };
}

const body = (node: string) => new TextEncoder().encode(JSON.stringify({ node, bootId: 'b1' }));

describe('node services (scheduler side)', () => {
  it('answers with every service, its allocated nodePort and ready endpoints anywhere in the cluster', () => {
    const { c, uids } = cluster();
    const handler = new NodeServicesHandler({} as never, c.state);
    const set = parseMessage(nodeServicesSchema, 's', handler.servicesFor('berth.node.n2.services', body('n2')));
    expect(set.node).toBe('n2');
    expect(set.position).toBe(c.state.position);
    expect(set.services).toEqual([
      {
        namespace: 'default',
        name: 'web',
        type: 'NodePort',
        balancing: 'least-connections',
        ports: [{ protocol: 'TCP', appProtocol: 'http', port: 80, targetPort: 80, nodePort: 30000, endpoints: [{ id: uids[0], node: 'n1', address: '127.0.0.2', port: 20000, ready: true, draining: false }] }],
      },
    ]);
    expect(() => handler.servicesFor('berth.node.n1.services', body('n2'))).toThrow(/node: does not match the subject/);
  });

  it('publishes one coalesced full set per ready node, only as lease holder, on endpoint changes', () => {
    const { c, uids } = cluster();
    const published: { subject: string; data: string }[] = [];
    const nats = { isClosed: () => false, publish: (subject: string, data: string) => published.push({ subject, data }) };
    let leader = false;
    const publisher = new NodeServicesPublisher(nats as never, c.state, () => leader, 1_000);
    expect(publisher.flush()).toEqual([]);
    leader = true;
    c.push('node:n1', 'NodeReady', {}).push('node:n2', 'NodeReady', {});
    expect(publisher.flush().sort()).toEqual(['n1', 'n2']);
    const last = parseMessage(nodeServicesSchema, 's', published[published.length - 1].data);
    expect(last.services[0].ports[0].endpoints.map((e) => e.id)).toEqual([uids[0]]);
    publisher.stop();

    const ready = { event: { type: 'ReplicaReady', streamId: `replica:${uids[1]}` }, replicaBefore: { ready: false }, replicaAfter: { ready: true } };
    expect(affectsServices(ready, c.state)).toBe(true);
    expect(affectsServices({ event: { type: 'ReplicaScheduled', streamId: 'replica:x' }, replicaBefore: { ready: false }, replicaAfter: { ready: false } }, c.state)).toBe(false);
    expect(affectsServices({ event: { type: 'ReplicaStarted', streamId: 'replica:x' }, replicaBefore: { ready: false }, replicaAfter: { ready: false } }, c.state)).toBe(false);
    expect(affectsServices({ event: { type: 'ServiceDeleted', streamId: 'service:default/web' } }, c.state)).toBe(true);
    expect(affectsServices({ event: { type: 'NodeReady', streamId: 'node:n3' } }, c.state)).toBe(true);
  });
});
