import { startTestGateway, TestGateway } from '../gateway-test.fixture';

type Port = { name?: string; port: number; clusterPort?: number; nodePort?: number };
type ServiceObject = { spec: { ports: Port[] } };
type Invalid = { reason: string; details: { causes: { field: string; message: string }[] } };

const service = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
const BASE = '/api/v1/namespaces/default/services';

describe('service cluster ports over HTTP', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway('gwsvcport');
  });
  afterAll(async () => {
    await gw.close();
  });

  it('allocates a cluster port to every service port, records it in the event, keeps it on update and refuses to change it', async () => {
    const web = await gw.request<ServiceObject>('POST', BASE, { body: service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 81 }] }) });
    expect(web.status).toBe(201);
    expect(web.body.spec.ports.map((p) => p.clusterPort)).toEqual([10000, 10001]);
    const [created] = await gw.db.store.readStream('service:default/web');
    expect((created.data as { manifest: ServiceObject }).manifest.spec.ports.map((p) => p.clusterPort)).toEqual([10000, 10001]);

    const lb = await gw.request<ServiceObject>('POST', BASE, { body: service('lb', { type: 'LoadBalancer', ports: [{ port: 80 }] }) });
    expect(lb.body.spec.ports[0]).toMatchObject({ clusterPort: 10002, nodePort: 30000 });

    // An update that leaves the ports out keeps them (as with nodePorts).
    const replaced = await gw.request<ServiceObject>('PUT', `${BASE}/web`, { body: service('web', { selector: { app: 'v2' }, ports: [{ name: 'admin', port: 81 }, { name: 'http', port: 8080 }] }) });
    expect(replaced.status).toBe(200);
    expect(replaced.body.spec.ports.map((p) => [p.name, p.clusterPort])).toEqual([
      ['admin', 10001],
      ['http', 10000],
    ]);

    const changed = await gw.request<Invalid>('PATCH', `${BASE}/web`, {
      body: [{ op: 'replace', path: '/spec/ports/0/clusterPort', value: 10500 }],
      contentType: 'application/json-patch+json',
    });
    expect(changed.status).toBe(422);
    expect(changed.body.details.causes).toEqual([expect.objectContaining({ field: 'spec.ports[0].clusterPort', message: 'spec.ports[0].clusterPort: Invalid value: 10500: field is immutable' })]);
  });

  it('names the field when a requested cluster port is taken or out of range', async () => {
    const taken = await gw.request<Invalid>('POST', BASE, { body: service('clash', { ports: [{ port: 80, clusterPort: 10000 }] }) });
    expect(taken.status).toBe(422);
    expect(taken.body.details.causes[0]).toMatchObject({ field: 'spec.ports[0].clusterPort', message: 'spec.ports[0].clusterPort: Invalid value: 10000: provided port is already allocated' });
    const outside = await gw.request<Invalid>('POST', BASE, { body: service('outside', { ports: [{ port: 80, clusterPort: 20000 }] }) });
    expect(outside.status).toBe(422);
    expect(outside.body.details.causes[0].field).toBe('spec.ports[0].clusterPort');
    const chosen = await gw.request<ServiceObject>('POST', BASE, { body: service('chosen', { ports: [{ port: 80, clusterPort: 15000 }] }) });
    expect(chosen.status).toBe(201);
    expect(chosen.body.spec.ports[0].clusterPort).toBe(15000);
  });
});
