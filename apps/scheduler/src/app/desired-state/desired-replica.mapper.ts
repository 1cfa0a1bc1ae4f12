import { asRecord, podSpecOf, replicaName, ReplicaState } from '@berth/cluster-state';
import { defaultPullPolicy, DesiredReplica, desiredReplicaSchema, InvalidQuantity, parseCpuMillicores, parseMemoryBytes, ProbeSpec } from '@berth/contracts';

/** A template that cannot become a DesiredReplica (the gateway should have refused it). */
export class UnrunnableTemplate extends Error {
  override readonly name = 'UnrunnableTemplate';
  constructor(
    readonly replica: string,
    detail: string,
  ) {
    super(`replica ${replica} cannot be run: ${detail}`);
  }
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

function portValue(value: unknown): number | string {
  return typeof value === 'number' ? value : String(value);
}

function probeOf(value: unknown): ProbeSpec | undefined {
  const probe = asRecord(value);
  if (!probe) return undefined;
  const httpGet = asRecord(probe['httpGet']);
  const tcpSocket = asRecord(probe['tcpSocket']);
  const exec = asRecord(probe['exec']);
  // Kubernetes treats 0 as unset for these.
  const positive = (field: string, fallback: number) => (typeof probe[field] === 'number' && (probe[field] as number) > 0 ? (probe[field] as number) : fallback);
  return {
    ...(httpGet
      ? { httpGet: { path: typeof httpGet['path'] === 'string' ? httpGet['path'] : '/', port: portValue(httpGet['port']), scheme: httpGet['scheme'] === 'HTTPS' ? 'HTTPS' : 'HTTP' } }
      : {}),
    ...(tcpSocket ? { tcpSocket: { port: portValue(tcpSocket['port']) } } : {}),
    ...(exec ? { exec: { command: stringList(exec['command']) ?? [] } } : {}),
    initialDelaySeconds: typeof probe['initialDelaySeconds'] === 'number' ? probe['initialDelaySeconds'] : 0,
    periodSeconds: positive('periodSeconds', 10),
    timeoutSeconds: positive('timeoutSeconds', 1),
    successThreshold: positive('successThreshold', 1),
    failureThreshold: positive('failureThreshold', 3),
  };
}

function limitsOf(container: Record<string, unknown>, uid: string): { cpuMilli?: number; memoryBytes?: number } {
  const limits = asRecord(asRecord(container['resources'])?.['limits']) ?? {};
  try {
    return {
      ...(limits['cpu'] !== undefined ? { cpuMilli: parseCpuMillicores(limits['cpu'] as string | number) } : {}),
      ...(limits['memory'] !== undefined ? { memoryBytes: parseMemoryBytes(limits['memory'] as string | number) } : {}),
    };
  } catch (error) {
    if (error instanceof InvalidQuantity) throw new UnrunnableTemplate(uid, error.message);
    throw error;
  }
}

/**
 * What a node-agent needs to run a replica: its single container with image, pull policy, command,
 * args, env (list -> map), ports, limits as numbers and probes, plus restart policy and grace period.
 */
export function toDesiredReplica(replica: ReplicaState): DesiredReplica {
  const spec = podSpecOf(replica.template);
  const containers = Array.isArray(spec['containers']) ? spec['containers'] : [];
  const container = asRecord(containers[0]);
  if (!container) throw new UnrunnableTemplate(replica.uid, 'the template has no container');
  const image = String(container['image'] ?? '');
  const env: Record<string, string> = {};
  for (const entry of Array.isArray(container['env']) ? container['env'] : []) {
    const variable = asRecord(entry);
    if (variable && typeof variable['name'] === 'string') env[variable['name']] = typeof variable['value'] === 'string' ? variable['value'] : '';
  }
  const ports = (Array.isArray(container['ports']) ? container['ports'] : []).flatMap((p) => {
    const port = asRecord(p);
    if (!port || typeof port['containerPort'] !== 'number') return [];
    return [{ ...(typeof port['name'] === 'string' ? { name: port['name'] } : {}), containerPort: port['containerPort'], protocol: port['protocol'] === 'UDP' ? 'UDP' : 'TCP' }];
  });
  const pullPolicy = container['imagePullPolicy'];
  const candidate = {
    uid: replica.uid,
    name: replicaName(replica.deployment, replica.templateHash, replica.uid),
    namespace: replica.namespace,
    deployment: replica.deployment,
    templateHash: replica.templateHash,
    restartPolicy: spec['restartPolicy'] ?? 'Always',
    terminationGracePeriodSeconds: typeof spec['terminationGracePeriodSeconds'] === 'number' ? spec['terminationGracePeriodSeconds'] : 30,
    containers: [
      {
        name: String(container['name'] ?? 'main'),
        image,
        imagePullPolicy: pullPolicy === 'Always' || pullPolicy === 'IfNotPresent' || pullPolicy === 'Never' ? pullPolicy : defaultPullPolicy(image),
        ...(stringList(container['command']) ? { command: stringList(container['command']) } : {}),
        ...(stringList(container['args']) ? { args: stringList(container['args']) } : {}),
        env,
        ports,
        limits: limitsOf(container, replica.uid),
        ...(probeOf(container['livenessProbe']) ? { livenessProbe: probeOf(container['livenessProbe']) } : {}),
        ...(probeOf(container['readinessProbe']) ? { readinessProbe: probeOf(container['readinessProbe']) } : {}),
        ...(probeOf(container['startupProbe']) ? { startupProbe: probeOf(container['startupProbe']) } : {}),
      },
    ],
  };
  const parsed = desiredReplicaSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new UnrunnableTemplate(replica.uid, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
