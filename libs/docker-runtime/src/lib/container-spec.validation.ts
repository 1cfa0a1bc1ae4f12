import { isIP } from 'node:net';
import { CreateContainerConfigError } from './runtime.errors';
import type { ContainerSpec, HostPortRange } from './container-runtime';
import { validateRange } from './host-port-allocator';

/** Rejects a spec before the engine sees it; shared by every runtime so all drivers refuse the same specs. */
export function validateSpec(spec: ContainerSpec, range: HostPortRange): void {
  const problems: string[] = [];
  for (const field of ['replicaUid', 'name', 'namespace', 'deployment', 'node'] as const) {
    if (typeof spec[field] !== 'string' || spec[field].length === 0) problems.push(`${field}: Required value`);
  }
  if (!isIP(spec.hostIp)) problems.push(`hostIp: Invalid value: "${spec.hostIp}"`);
  try {
    validateRange(range);
  } catch (error) {
    problems.push(`hostPortRange: ${(error as Error).message}`);
  }
  const seen = new Set<string>();
  (spec.ports ?? []).forEach((port, i) => {
    if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
      problems.push(`ports[${i}].containerPort: Invalid value: ${port.containerPort}`);
    }
    const protocol = port.protocol ?? 'TCP';
    if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) problems.push(`ports[${i}].protocol: Unsupported value: "${protocol}"`);
    const key = `${port.containerPort}/${protocol}`;
    if (seen.has(key)) problems.push(`ports[${i}]: Duplicate value: "${key}"`);
    seen.add(key);
  });
  for (const key of Object.keys(spec.env ?? {})) {
    if (!key || key.includes('=') || key.includes('\0')) problems.push(`env: Invalid value: "${key}"`);
  }
  if (spec.cpuMilli !== undefined && !(spec.cpuMilli > 0)) problems.push(`cpuMilli: Invalid value: ${spec.cpuMilli}`);
  if (spec.memoryBytes !== undefined && !(Number.isInteger(spec.memoryBytes) && spec.memoryBytes > 0)) {
    problems.push(`memoryBytes: Invalid value: ${spec.memoryBytes}`);
  }
  if (problems.length) throw new CreateContainerConfigError(problems.join('; '));
}
