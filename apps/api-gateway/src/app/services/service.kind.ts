import { FieldError, NODE_PORT_RANGE, streamIds } from '@berth/contracts';
import { JsonObject, ObjectRow } from '@berth/api-read-models';
import { SERVICES } from '../resources/api-kinds';
import { ManifestKind } from '../resources/manifest-resources.service';

interface PortSpec {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
}

function portsOf(manifest: JsonObject | undefined): PortSpec[] {
  const ports = (manifest?.['spec'] as JsonObject | undefined)?.['ports'];
  return Array.isArray(ports) ? (ports as PortSpec[]) : [];
}

/**
 * Node ports of NodePort/LoadBalancer services, as the API server allocates them: a port the
 * manifest names must be free; a port it leaves out keeps the one it had, else gets the lowest
 * free one of the range. `used` holds the node ports of every other service.
 */
export function allocateNodePorts(manifest: JsonObject, previous: JsonObject | undefined, used: ReadonlySet<number>): { manifest: JsonObject; errors: FieldError[] } {
  const spec = (manifest['spec'] as JsonObject | undefined) ?? {};
  if (spec['type'] !== 'NodePort' && spec['type'] !== 'LoadBalancer') return { manifest, errors: [] };
  const errors: FieldError[] = [];
  const taken = new Set(used);
  const ports = portsOf(manifest);
  for (const [i, port] of ports.entries()) {
    if (!port.nodePort) continue;
    if (taken.has(port.nodePort)) errors.push({ type: 'Invalid', field: `spec.ports[${i}].nodePort`, value: port.nodePort, detail: 'provided port is already allocated' });
    taken.add(port.nodePort);
  }
  const before = portsOf(previous);
  const allocated = ports.map((port) => {
    if (port.nodePort) return port;
    const kept = before.find((p) => (p.name ?? '') === (port.name ?? '') && p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'))?.nodePort;
    if (kept && !taken.has(kept)) {
      taken.add(kept);
      return { ...port, nodePort: kept };
    }
    let candidate = NODE_PORT_RANGE.min;
    while (candidate <= NODE_PORT_RANGE.max && taken.has(candidate)) candidate++;
    if (candidate > NODE_PORT_RANGE.max) {
      errors.push({ type: 'Invalid', field: 'spec.ports', value: port.port, detail: 'no node port is free' });
      return port;
    }
    taken.add(candidate);
    return { ...port, nodePort: candidate };
  });
  return { manifest: { ...manifest, spec: { ...spec, ports: allocated } }, errors };
}

export function serviceKind(usedNodePorts: (except: ObjectRow | undefined, manifest: JsonObject) => Promise<Set<number>>, invalid: (manifest: JsonObject, errors: FieldError[]) => Error): ManifestKind {
  return {
    api: SERVICES,
    streamId: (namespace, name) => streamIds.service(namespace ?? '', name),
    events: { created: 'ServiceCreated', updated: 'ServiceUpdated', deleted: 'ServiceDeleted' },
    prepare: async (manifest, current) => {
      const type = (manifest['spec'] as JsonObject | undefined)?.['type'];
      if (type !== 'NodePort' && type !== 'LoadBalancer') return manifest;
      const previous = current?.internal['manifest'] as JsonObject | undefined;
      const result = allocateNodePorts(manifest, previous, await usedNodePorts(current, manifest));
      if (result.errors.length > 0) throw invalid(manifest, result.errors);
      return result.manifest;
    },
  };
}
