import { EventData, RecordedEvent } from '@berth/contracts';
import { ClusterState, ServicePortView, ServiceState, ServiceTypeView } from './cluster-state.model';
import { parseDeploymentKey } from './cluster-state.queries';
import { asRecord } from './deployment-spec';

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(asRecord(value) ?? {})) if (typeof v === 'string') out[key] = v;
  return out;
}

function serviceType(value: unknown): ServiceTypeView {
  return value === 'NodePort' || value === 'LoadBalancer' ? value : 'ClusterIP';
}

function portsOf(spec: Record<string, unknown>): ServicePortView[] {
  const ports = Array.isArray(spec['ports']) ? spec['ports'] : [];
  return ports.flatMap((entry): ServicePortView[] => {
    const p = asRecord(entry);
    if (!p || typeof p['port'] !== 'number') return [];
    const protocol = p['protocol'] === 'UDP' || p['protocol'] === 'SCTP' ? p['protocol'] : 'TCP';
    const target = p['targetPort'];
    return [
      {
        ...(typeof p['name'] === 'string' && p['name'] !== '' ? { name: p['name'] } : {}),
        protocol,
        ...(typeof p['appProtocol'] === 'string' ? { appProtocol: p['appProtocol'] } : {}),
        port: p['port'],
        targetPort: typeof target === 'number' || (typeof target === 'string' && target !== '') ? target : p['port'],
        ...(typeof p['nodePort'] === 'number' && p['nodePort'] > 0 ? { nodePort: p['nodePort'] } : {}),
        ...(typeof p['clusterPort'] === 'number' && p['clusterPort'] > 0 ? { clusterPort: p['clusterPort'] } : {}),
      },
    ];
  });
}

/** Node ports held by every service except `exceptKey`. */
function nodePortsInUse(state: ClusterState, exceptKey: string): Set<number> {
  const used = new Set<number>();
  for (const service of state.services.values()) {
    if (service.key === exceptKey) continue;
    for (const port of service.ports) if (port.nodePort !== undefined) used.add(port.nodePort);
  }
  return used;
}

/** The lowest port of the NodePort range not in `used`; undefined when the range is exhausted. */
export function allocateNodePort(used: ReadonlySet<number>): number | undefined {
  for (let port = NODE_PORT_MIN; port <= NODE_PORT_MAX; port++) if (!used.has(port)) return port;
  return undefined;
}

const samePort = (a: ServicePortView, b: ServicePortView): boolean =>
  a.name !== undefined || b.name !== undefined ? a.name === b.name : a.port === b.port && a.protocol === b.protocol;

/**
 * NodePort/LoadBalancer ports without a nodePort get one here, from the log alone so every reader
 * agrees: an updated port keeps the one it had; otherwise the lowest free port of 30000-32767, where
 * free means held by no other live service and no earlier port of this one (log order decides).
 */
function withNodePorts(state: ClusterState, key: string, type: ServiceTypeView, ports: ServicePortView[], previous?: ServiceState): ServicePortView[] {
  if (type === 'ClusterIP') return ports.map(({ nodePort: _dropped, ...port }) => port);
  const used = nodePortsInUse(state, key);
  for (const port of ports) if (port.nodePort !== undefined) used.add(port.nodePort);
  // Ports that had one keep it before any new port is given the lowest free one.
  const kept = ports.map((port) => {
    if (port.nodePort !== undefined) return port.nodePort;
    const had = previous?.ports.find((old) => samePort(old, port))?.nodePort;
    if (had === undefined || used.has(had)) return undefined;
    used.add(had);
    return had;
  });
  return ports.map((port, i) => {
    const nodePort = kept[i] ?? allocateNodePort(used);
    if (nodePort === undefined) return port;
    used.add(nodePort);
    return { ...port, nodePort };
  });
}

function serviceFrom(state: ClusterState, key: string, event: RecordedEvent, previous?: ServiceState): ServiceState {
  const { manifest } = event.data as EventData<'ServiceCreated'>;
  const spec = asRecord(manifest['spec']) ?? {};
  const metadata = asRecord(manifest['metadata']) ?? {};
  const { namespace, name } = parseDeploymentKey(key);
  const type = serviceType(spec['type']);
  return {
    key,
    namespace,
    name,
    type,
    selector: stringMap(spec['selector']),
    ports: withNodePorts(state, key, type, portsOf(spec), previous),
    annotations: stringMap(metadata['annotations']),
    manifest,
    createdPosition: previous?.createdPosition ?? event.globalPosition,
    version: event.streamVersion,
  };
}

/** Folds ServiceCreated / ServiceUpdated / ServiceDeleted (stream `service:<ns>/<name>`). */
export function applyService(state: ClusterState, key: string, event: RecordedEvent): void {
  const current = state.services.get(key);
  if (event.type === 'ServiceCreated') state.services.set(key, serviceFrom(state, key, event));
  else if (event.type === 'ServiceUpdated' && current) state.services.set(key, serviceFrom(state, key, event, current));
  else if (event.type === 'ServiceDeleted') state.services.delete(key);
}
