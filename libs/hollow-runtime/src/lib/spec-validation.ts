import { isIP } from 'node:net';
import { CreateContainerConfigError, type ContainerSpec, type HostPortRange, type PublishedPort } from '@berth/docker-runtime';

// DockerRuntime's checks (its validateSpec is not exported), so both drivers reject the same specs.
export function validateSpec(spec: ContainerSpec, range: HostPortRange): void {
  const problems: string[] = [];
  for (const field of ['replicaUid', 'name', 'namespace', 'deployment', 'node'] as const) {
    if (typeof spec[field] !== 'string' || spec[field].length === 0) problems.push(`${field}: Required value`);
  }
  if (!isIP(spec.hostIp)) problems.push(`hostIp: Invalid value: "${spec.hostIp}"`);
  const rangeOk =
    Number.isInteger(range.from) && Number.isInteger(range.to) && range.from >= 1 && range.to <= 65535 && range.from <= range.to;
  if (!rangeOk) problems.push(`hostPortRange: invalid host port range ${range.from}-${range.to}`);
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

/** containerPort -> hostPort, the TCP binding winning, as DockerRuntime reports it. */
export function hostPortMap(ports: PublishedPort[]): Record<number, number> {
  const map: Record<number, number> = {};
  for (const port of ports) {
    if (map[port.containerPort] === undefined || port.protocol === 'TCP') map[port.containerPort] = port.hostPort;
  }
  return map;
}
