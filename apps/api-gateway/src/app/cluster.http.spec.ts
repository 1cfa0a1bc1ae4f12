import { randomUUID } from 'node:crypto';
import { NewEvent } from '@berth/contracts';
import { ApiReadModels } from '@berth/api-read-models';
import { deploymentManifest, startTestGateway, TestGateway } from './gateway-test.fixture';

type Obj = { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> };
type List = { kind: string; metadata: { resourceVersion: string; continue?: string }; items: Obj[] };

const merge = 'application/merge-patch+json';
const service = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });

describe('namespaces, services, autoscalers, nodes, pods and events over HTTP', () => {
  let gw: TestGateway;
  const append = async (streamId: string, ...events: NewEvent[]) => {
    const result = await gw.db.store.append(streamId, 'any', events);
    await gw.pump.waitFor(result.lastPosition);
    return result;
  };

  beforeAll(async () => {
    gw = await startTestGateway('gwclus');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('has the default namespace from the start; namespaces are created, listed, and deleted with their objects', async () => {
    const list = await gw.request<List>('GET', '/api/v1/namespaces');
    expect(list.body.items.map((n) => n.metadata['name'])).toEqual(['default']);
    expect(list.body.items[0].status).toEqual({ phase: 'Active' });
    const created = await gw.request<Obj>('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'x' } } } });
    expect(created.status).toBe(201);
    expect((await gw.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } })).status).toBe(409);
    await gw.request('POST', '/apis/apps/v1/namespaces/shop/deployments', { body: deploymentManifest('cart') });
    await gw.request('POST', '/api/v1/namespaces/shop/services', { body: service('cart', { ports: [{ port: 80 }] }) });
    expect((await gw.request<Obj>('GET', '/api/v1/namespaces/shop')).body.metadata['labels']).toEqual({ team: 'x' });

    const deleted = await gw.request('DELETE', '/api/v1/namespaces/shop');
    expect(deleted.status).toBe(200);
    expect((await gw.request('GET', '/apis/apps/v1/namespaces/shop/deployments/cart')).status).toBe(404);
    expect((await gw.request('GET', '/api/v1/namespaces/shop/services/cart')).status).toBe(404);
    expect((await gw.db.store.readStream('deployment:shop/cart')).map((e) => e.type)).toEqual(['DeploymentCreated', 'DeploymentDeleted']);
    expect((await gw.request('GET', '/api/v1/namespaces/shop')).status).toBe(404);
    const forbidden = await gw.request<{ reason: string }>('DELETE', '/api/v1/namespaces/default');
    expect(forbidden.status).toBe(403);
    expect((await gw.request('DELETE', '/api/v1/namespaces/nope')).status).toBe(404);
  });

  it('allocates node ports for NodePort and LoadBalancer services and keeps them on update', async () => {
    const lb = await gw.request<Obj>('POST', '/api/v1/namespaces/default/services', { body: service('lb', { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 80 }] }) });
    expect(lb.status).toBe(201);
    const lbPorts = lb.body.spec['ports'] as { nodePort: number; targetPort: number }[];
    expect(lbPorts[0]).toMatchObject({ nodePort: 30000, targetPort: 80 });
    const np = await gw.request<Obj>('POST', '/api/v1/namespaces/default/services', { body: service('np', { type: 'NodePort', ports: [{ port: 81 }] }) });
    expect((np.body.spec['ports'] as { nodePort: number }[])[0].nodePort).toBe(30001);
    const clash = await gw.request<{ details: { causes: { field: string }[] } }>('POST', '/api/v1/namespaces/default/services', {
      body: service('clash', { type: 'NodePort', ports: [{ port: 82, nodePort: 30000 }] }),
    });
    expect(clash.status).toBe(422);
    expect(clash.body.details.causes[0].field).toBe('spec.ports[0].nodePort');
    const updated = await gw.request<Obj>('PUT', '/api/v1/namespaces/default/services/lb', { body: service('lb', { type: 'LoadBalancer', selector: { app: 'y' }, ports: [{ port: 80 }] }) });
    expect((updated.body.spec['ports'] as { nodePort: number }[])[0].nodePort).toBe(30000);
    const all = await gw.request<List>('GET', '/api/v1/services');
    expect(all.body.items.map((s) => s.metadata['name'])).toEqual(['lb', 'np']);
  });

  it('serves horizontal pod autoscalers with the autoscaler decisions as status', async () => {
    const path = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
    const body = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] },
    };
    expect((await gw.request('POST', path, { body })).status).toBe(201);
    await append('hpa:default/web', { type: 'HorizontalPodAutoscalerDecided', data: { currentReplicas: 1, desiredReplicas: 3, reason: 'cpu 90% above target 60%' } });
    const hpa = await gw.request<Obj>('GET', `${path}/web`);
    expect(hpa.body.status).toMatchObject({ currentReplicas: 1, desiredReplicas: 3 });
    const patched = await gw.request<Obj>('PATCH', `${path}/web`, { body: { spec: { maxReplicas: 8 } }, contentType: merge });
    expect(patched.body.spec['maxReplicas']).toBe(8);
    expect(patched.body.metadata['generation']).toBe(2);
    const events = await gw.request<List>('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DHorizontalPodAutoscaler');
    expect(events.body.items.map((e) => e['reason' as keyof Obj])).toEqual(['SuccessfulRescale']);
    expect((await gw.request('DELETE', `${path}/web`)).status).toBe(200);
  });

  it('shows registered nodes; cordons, uncordons and drains them', async () => {
    await append('node:n1', {
      type: 'NodeRegistered',
      data: { labels: { zone: 'a' }, taints: [], capacity: { cpuMilli: 4000, memoryBytes: 8 * 1024 ** 3 }, allocatable: { cpuMilli: 3500, memoryBytes: 7 * 1024 ** 3 }, address: '127.0.0.2', info: {} },
    });
    await append('node:n1', { type: 'NodeReady', data: {} });
    const nodes = await gw.request<List>('GET', '/api/v1/nodes');
    expect(nodes.body.items.map((n) => n.metadata['name'])).toEqual(['n1']);
    expect(nodes.body.items[0].status['addresses']).toContainEqual({ type: 'InternalIP', address: '127.0.0.2' });
    expect(nodes.body.items[0].status['conditions']).toEqual([expect.objectContaining({ type: 'Ready', status: 'True' })]);

    const cordoned = await gw.request<Obj>('PATCH', '/api/v1/nodes/n1', { body: { spec: { unschedulable: true } }, contentType: 'application/strategic-merge-patch+json' });
    expect(cordoned.status).toBe(200);
    expect(cordoned.body.spec['unschedulable']).toBe(true);
    const head = await gw.head();
    expect((await gw.request('PATCH', '/api/v1/nodes/n1', { body: { spec: { unschedulable: true } }, contentType: merge })).status).toBe(200);
    expect(await gw.head()).toBe(head);
    const relabel = await gw.request('PATCH', '/api/v1/nodes/n1', { body: { metadata: { labels: { zone: 'b' } } }, contentType: merge });
    expect(relabel.status).toBe(422);
    const uncordoned = await gw.request<Obj>('PATCH', '/api/v1/nodes/n1', { body: { spec: { unschedulable: false } }, contentType: merge });
    expect(uncordoned.body.spec['unschedulable']).toBeUndefined();
    const drain = await gw.request<{ kind: string; status: string }>('POST', '/api/v1/nodes/n1/drain');
    expect(drain.status).toBe(202);
    expect(drain.body).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await gw.db.store.readStream('node:n1')).map((e) => e.type)).toEqual(['NodeRegistered', 'NodeReady', 'NodeCordoned', 'NodeUncordoned', 'NodeDrainRequested']);
    expect((await gw.request('POST', '/api/v1/nodes/ghost/drain')).status).toBe(404);
  });

  it('shows replicas as pods (selectable by node and phase) and deletes them by asking the replica to go', async () => {
    const created = await gw.request<Obj>('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploymentManifest('api', { replicas: 2 }) });
    const template = (created.body.spec as { template: Record<string, unknown> }).template;
    const uids = [randomUUID(), randomUUID()];
    for (const uid of uids) await append(`replica:${uid}`, { type: 'ReplicaCreated', data: { namespace: 'default', deployment: 'api', revision: 1, templateHash: 'hash1', template } });
    await append(`replica:${uids[0]}`, { type: 'ReplicaScheduled', data: { node: 'n1' } }, { type: 'ReplicaStarted', data: { node: 'n1', containerId: 'c0', hostPorts: { '80': 20000 }, hostIp: '127.0.0.2' } });
    await append(`replica:${uids[1]}`, { type: 'ReplicaUnschedulable', data: { message: '0/1 nodes are available: 1 node(s) were unschedulable' } });

    const pods = await gw.request<List>('GET', '/api/v1/namespaces/default/pods');
    expect(pods.body.items).toHaveLength(2);
    const running = await gw.request<List>('GET', '/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dn1,status.phase%3DRunning');
    expect(running.body.items.map((p) => p.metadata['uid'])).toEqual([uids[0]]);
    const pod = running.body.items[0];
    expect(pod.metadata['ownerReferences']).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'api', uid: created.body.metadata['uid'] })]);
    expect(pod.status).toMatchObject({ phase: 'Running', hostIP: '127.0.0.2', podIP: '127.0.0.2' });
    const pending = await gw.request<List>('GET', '/api/v1/pods?fieldSelector=status.phase%3DPending&labelSelector=app%3Dapi');
    expect(pending.body.items).toHaveLength(1);
    expect(pending.body.items[0].status['conditions']).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' })]);

    const name = String(pod.metadata['name']);
    const deleted = await gw.request<Obj>('DELETE', `/api/v1/namespaces/default/pods/${name}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.metadata['deletionTimestamp']).toBeTruthy();
    expect((await gw.db.store.readStream(`replica:${uids[0]}`)).pop()?.type).toBe('ReplicaDeletionRequested');

    const events = await gw.request<List>('GET', `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`);
    const reasons = events.body.items.map((e) => (e as unknown as { reason: string }).reason).sort();
    expect(reasons).toEqual(['Killing', 'Scheduled', 'Started']);
    const one = events.body.items[0] as unknown as { metadata: { name: string }; count: number; involvedObject: { kind: string } };
    expect(one.involvedObject.kind).toBe('Pod');
    expect((await gw.request('GET', `/api/v1/namespaces/default/events/${one.metadata.name}`)).status).toBe(200);
  });

  it('pages lists with limit and continue, each page one consistent snapshot', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await gw.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploymentManifest(name, { labels: { app: name } }) });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page: { body: List } = await gw.request<List>('GET', `/apis/apps/v1/namespaces/default/deployments?labelSelector=app%20in%20(p1,p2,p3,p4,p5)&limit=2${token ? `&continue=${token}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((d) => String(d.metadata['name'])));
      token = page.body.metadata.continue;
    } while (token);
    expect(seen).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('serves discovery, the OpenAPI document and the docs page', async () => {
    const core = await gw.request<{ resources: { name: string }[] }>('GET', '/api/v1');
    expect(core.body.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['pods', 'services', 'namespaces', 'nodes', 'events']));
    const apps = await gw.request<{ groupVersion: string }>('GET', '/apis/apps/v1');
    expect(apps.body.groupVersion).toBe('apps/v1');
    expect((await gw.request<{ groups: unknown[] }>('GET', '/apis')).body.groups).toHaveLength(3);
    expect((await gw.request('GET', '/apis/nope/v9')).status).toBe(404);
    const openapi = await gw.request<{ openapi: string; paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(openapi.body.openapi).toBe('3.0.3');
    expect(Object.keys(openapi.body.paths)).toContain('/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale');
    const metrics = await gw.request('GET', '/metrics');
    expect(metrics.text).toMatch(/berth_api_request_duration_seconds_count\{[^}]*route="\/api\/v1\/namespaces\/:name"[^}]*code="200"/);
    expect(metrics.text).toMatch(/berth_api_read_model_position\{[^}]*\} [1-9]/);
    const docs = await gw.request('GET', '/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(docs.text).toContain('/openapi.json');
  });

  it('rebuilds its read models from position 0 to exactly the live state', async () => {
    const models = gw.app.get(ApiReadModels);
    const live = await models.reader.dump();
    expect(live.objects.length).toBeGreaterThan(10);
    await models.runner.rebuild();
    expect(await models.reader.dump()).toEqual(live);
  });
});
