import { CLUSTER_PORT_RANGE, FieldError, NODE_PORT_RANGE, streamIds } from '@berth/contracts';
import { JsonObject, ObjectRow } from '@berth/api-read-models';
import { SERVICES } from '../resources/api-kinds';
import { ManifestKind } from '../resources/manifest-resources.service';

interface PortSpec {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
  clusterPort?: number;
}

type AllocatedField = 'nodePort' | 'clusterPort';

/** Ports held by every other service of the cluster. */
export interface UsedPorts {
  nodePorts: ReadonlySet<number>;
  clusterPorts: ReadonlySet<number>;
}

function portsOf(manifest: JsonObject | undefined): PortSpec[] {
  const ports = (manifest?.['spec'] as JsonObject | undefined)?.['ports'];
  return Array.isArray(ports) ? (ports as PortSpec[]) : [];
}

const sameNodePort = (a: PortSpec, b: PortSpec): boolean => (a.name ?? '') === (b.name ?? '') && a.port === b.port && (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP');

/**
 * The port of the previous manifest a port continues, for its cluster port: by name when named,
 * else by port and protocol; a single-port service stays itself when its port number changes (so
 * clients' `<NAME>_SERVICE_PORT` stays valid).
 */
function previousClusterPortOf(port: PortSpec, ports: PortSpec[], before: PortSpec[]): PortSpec | undefined {
  if (ports.length === 1 && before.length === 1) return before[0];
  if (port.name) return before.find((p) => p.name === port.name);
  return before.find((p) => !p.name && p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
}

/**
 * Allocates `field` as the API server allocates node ports: a port the manifest names must be
 * free; a port it leaves out keeps the one it had, else gets the lowest free one of `range`.
 */
function allocatePorts(
  ports: PortSpec[],
  before: PortSpec[],
  used: ReadonlySet<number>,
  field: AllocatedField,
  range: { min: number; max: number },
  previousOf: (port: PortSpec) => PortSpec | undefined,
): { ports: PortSpec[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const taken = new Set(used);
  for (const [i, port] of ports.entries()) {
    const value = port[field];
    if (!value) continue;
    if (taken.has(value)) errors.push({ type: 'Invalid', field: `spec.ports[${i}].${field}`, value, detail: 'provided port is already allocated' });
    taken.add(value);
  }
  // Ports that had one keep it before any new port is given the lowest free one.
  const kept = ports.map((port) => {
    if (port[field]) return port[field];
    const had = previousOf(port)?.[field];
    if (!had || taken.has(had)) return undefined;
    taken.add(had);
    return had;
  });
  const allocated = ports.map((port, i) => {
    if (kept[i]) return { ...port, [field]: kept[i] };
    let candidate = range.min;
    while (candidate <= range.max && taken.has(candidate)) candidate++;
    if (candidate > range.max) {
      errors.push({ type: 'Invalid', field: `spec.ports[${i}].${field}`, value: port.port, detail: `no ${field === 'nodePort' ? 'node' : 'cluster'} port is free in ${range.min}-${range.max}` });
      return port;
    }
    taken.add(candidate);
    return { ...port, [field]: candidate };
  });
  return { ports: allocated, errors };
}

/**
 * Node ports of NodePort/LoadBalancer services, as the API server allocates them: a port the
 * manifest names must be free; a port it leaves out keeps the one it had, else gets the lowest
 * free one of the range. `used` holds the node ports of every other service.
 */
export function allocateNodePorts(manifest: JsonObject, previous: JsonObject | undefined, used: ReadonlySet<number>): { manifest: JsonObject; errors: FieldError[] } {
  const spec = (manifest['spec'] as JsonObject | undefined) ?? {};
  if (spec['type'] !== 'NodePort' && spec['type'] !== 'LoadBalancer') return { manifest, errors: [] };
  const before = portsOf(previous);
  const result = allocatePorts(portsOf(manifest), before, used, 'nodePort', NODE_PORT_RANGE, (port) => before.find((p) => sameNodePort(p, port)));
  return { manifest: { ...manifest, spec: { ...spec, ports: result.ports } }, errors: result.errors };
}

/**
 * Cluster ports of every service port (every type: in Kubernetes every service has a cluster IP):
 * cluster-unique, from CLUSTER_PORT_RANGE; each node's proxy listens on them where its containers
 * reach it. Allocated like node ports; a port keeps its cluster port across updates.
 */
export function allocateClusterPorts(manifest: JsonObject, previous: JsonObject | undefined, used: ReadonlySet<number>): { manifest: JsonObject; errors: FieldError[] } {
  const spec = (manifest['spec'] as JsonObject | undefined) ?? {};
  const ports = portsOf(manifest);
  const before = portsOf(previous);
  const result = allocatePorts(ports, before, used, 'clusterPort', CLUSTER_PORT_RANGE, (port) => previousClusterPortOf(port, ports, before));
  return { manifest: { ...manifest, spec: { ...spec, ports: result.ports } }, errors: result.errors };
}

/** A cluster port is baked into the environment of containers created since: it never changes. */
export function clusterPortUpdateErrors(current: JsonObject, next: JsonObject): FieldError[] {
  const before = portsOf(current);
  const ports = portsOf(next);
  const errors: FieldError[] = [];
  ports.forEach((port, i) => {
    const had = previousClusterPortOf(port, ports, before)?.clusterPort;
    if (had && port.clusterPort !== had) errors.push({ type: 'Invalid', field: `spec.ports[${i}].clusterPort`, value: port.clusterPort ?? null, detail: 'field is immutable' });
  });
  return errors;
}

/** Fills the server-decided ports of a Service manifest; errors name each bad field. */
export function allocateServicePorts(manifest: JsonObject, previous: JsonObject | undefined, used: UsedPorts): { manifest: JsonObject; errors: FieldError[] } {
  const cluster = allocateClusterPorts(manifest, previous, used.clusterPorts);
  const node = allocateNodePorts(cluster.manifest, previous, used.nodePorts);
  return { manifest: node.manifest, errors: [...cluster.errors, ...node.errors] };
}

export function serviceKind(usedPorts: (except: ObjectRow | undefined, manifest: JsonObject) => Promise<UsedPorts>, invalid: (manifest: JsonObject, errors: FieldError[]) => Error): ManifestKind {
  return {
    api: SERVICES,
    streamId: (namespace, name) => streamIds.service(namespace ?? '', name),
    events: { created: 'ServiceCreated', updated: 'ServiceUpdated', deleted: 'ServiceDeleted' },
    prepare: async (manifest, current) => {
      const previous = current?.internal['manifest'] as JsonObject | undefined;
      const result = allocateServicePorts(manifest, previous, await usedPorts(current, manifest));
      if (result.errors.length > 0) throw invalid(manifest, result.errors);
      return result.manifest;
    },
    checkUpdate: clusterPortUpdateErrors,
  };
}
