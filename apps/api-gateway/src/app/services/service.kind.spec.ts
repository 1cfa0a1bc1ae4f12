import { allocateServicePorts, clusterPortUpdateErrors } from './service.kind';

type Port = { name?: string; port: number; protocol?: string; nodePort?: number; clusterPort?: number };
const manifest = (ports: Port[], type = 'ClusterIP') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type, ports } });
const portsOf = (m: { spec?: unknown }) => (m.spec as { ports: Port[] }).ports;
const none = { nodePorts: new Set<number>(), clusterPorts: new Set<number>() };

describe('service port allocation', () => {
  it('gives every port of every service type the lowest free cluster port; node ports only to NodePort/LoadBalancer', () => {
    const used = { nodePorts: new Set([30000]), clusterPorts: new Set([10000, 10002]) };
    const cluster = allocateServicePorts(manifest([{ name: 'a', port: 80 }, { name: 'b', port: 81 }, { name: 'c', port: 82 }]), undefined, used);
    expect(cluster.errors).toEqual([]);
    expect(portsOf(cluster.manifest).map((p) => [p.clusterPort, p.nodePort])).toEqual([
      [10001, undefined],
      [10003, undefined],
      [10004, undefined],
    ]);
    const lb = allocateServicePorts(manifest([{ port: 80 }], 'LoadBalancer'), undefined, used);
    expect(portsOf(lb.manifest)[0]).toMatchObject({ clusterPort: 10001, nodePort: 30001 });
  });

  it('honours a requested cluster port when free and names the field when it is not', () => {
    expect(portsOf(allocateServicePorts(manifest([{ port: 80, clusterPort: 15000 }]), undefined, none).manifest)[0].clusterPort).toBe(15000);
    const taken = allocateServicePorts(manifest([{ port: 80, clusterPort: 15000 }]), undefined, { ...none, clusterPorts: new Set([15000]) });
    expect(taken.errors).toEqual([{ type: 'Invalid', field: 'spec.ports[0].clusterPort', value: 15000, detail: 'provided port is already allocated' }]);
  });

  it('keeps cluster ports across updates: by name, by port when unnamed, and a single port through a port change', () => {
    const before = allocateServicePorts(manifest([{ name: 'http', port: 80 }, { name: 'admin', port: 81 }]), undefined, none).manifest;
    const reordered = allocateServicePorts(manifest([{ name: 'admin', port: 9000 }, { name: 'http', port: 80 }, { name: 'new', port: 82 }]), before, none).manifest;
    expect(portsOf(reordered).map((p) => [p.name, p.clusterPort])).toEqual([
      ['admin', 10001],
      ['http', 10000],
      ['new', 10002],
    ]);
    const single = allocateServicePorts(manifest([{ port: 80 }]), undefined, none).manifest;
    expect(portsOf(allocateServicePorts(manifest([{ port: 8080 }], 'NodePort'), single, none).manifest)[0]).toMatchObject({ clusterPort: 10000, nodePort: 30000 });
  });

  it('refuses to change a cluster port once set', () => {
    const before = manifest([{ name: 'http', port: 80, clusterPort: 10005 }]);
    expect(clusterPortUpdateErrors(before, manifest([{ name: 'http', port: 80, clusterPort: 10005 }]))).toEqual([]);
    expect(clusterPortUpdateErrors(before, manifest([{ name: 'http', port: 80, clusterPort: 10006 }]))).toEqual([
      { type: 'Invalid', field: 'spec.ports[0].clusterPort', value: 10006, detail: 'field is immutable' },
    ]);
    // A service recorded before cluster ports gets one on its next update.
    expect(clusterPortUpdateErrors(manifest([{ port: 80 }]), manifest([{ port: 80, clusterPort: 10000 }]))).toEqual([]);
  });

  it('names the port when the range is exhausted', () => {
    const full = new Set(Array.from({ length: 10_000 }, (_, i) => 10_000 + i));
    const { errors } = allocateServicePorts(manifest([{ port: 80 }]), undefined, { ...none, clusterPorts: full });
    expect(errors).toEqual([{ type: 'Invalid', field: 'spec.ports[0].clusterPort', value: 80, detail: 'no cluster port is free in 10000-19999' }]);
  });
});
