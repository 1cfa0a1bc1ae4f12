import { asRecord, podSpecOf, ReplicaState, templateLabels, PodTemplate } from '@berth/cluster-state';
import { effectiveRequests, parseCpuMillicores, parseMemoryBytes } from '@berth/contracts';
import {
  Affinity,
  LabelSelector,
  NodeSelectorTerm,
  PodAffinityTerm,
  ReplicaSpec,
  ResourceList,
  Toleration,
  TopologySpreadConstraint,
} from '@berth/scheduling';

/** The scheduling-relevant part of a template, shared by every replica made from it. */
export type TemplateProfile = Omit<ReplicaSpec, 'uid' | 'priority'>;

function containersOf(template: PodTemplate): Record<string, unknown>[] {
  const containers = podSpecOf(template)['containers'];
  return Array.isArray(containers) ? containers.map((c) => asRecord(c) ?? {}) : [];
}

function quantity(parse: (q: string | number) => number, value: unknown): number {
  if (typeof value !== 'string' && typeof value !== 'number') return 0;
  try {
    return parse(value);
  } catch {
    // The gateway validated the manifest; an unreadable quantity reserves nothing rather than blocking the replica.
    return 0;
  }
}

/** Sum of the containers' requests (a limit stands in for a missing request, as in Kubernetes). */
export function requestsOf(template: PodTemplate): ResourceList {
  let cpuMilli = 0;
  let memoryBytes = 0;
  for (const container of containersOf(template)) {
    const requests = effectiveRequests(asRecord(container['resources']) as Parameters<typeof effectiveRequests>[0]);
    cpuMilli += quantity(parseCpuMillicores, requests['cpu']);
    memoryBytes += quantity(parseMemoryBytes, requests['memory']);
  }
  return { cpuMilli, memoryBytes };
}

function hostPortsOf(template: PodTemplate): number[] {
  const ports: number[] = [];
  for (const container of containersOf(template)) {
    for (const port of Array.isArray(container['ports']) ? container['ports'] : []) {
      const hostPort = asRecord(port)?.['hostPort'];
      if (typeof hostPort === 'number' && hostPort > 0) ports.push(hostPort);
    }
  }
  return ports;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(record)) if (typeof v === 'string') out[key] = v;
  return out;
}

function selectorTerm(term: unknown): NodeSelectorTerm {
  // matchFields (metadata.name) is not modelled by the placement engine; matchExpressions carry the rules.
  const expressions = asRecord(term)?.['matchExpressions'];
  return Array.isArray(expressions) ? { matchExpressions: expressions as NodeSelectorTerm['matchExpressions'] } : {};
}

function podAffinityTerm(term: unknown): PodAffinityTerm | undefined {
  const t = asRecord(term);
  if (!t || typeof t['topologyKey'] !== 'string') return undefined;
  const namespaces = Array.isArray(t['namespaces']) ? (t['namespaces'] as string[]) : undefined;
  return {
    topologyKey: t['topologyKey'],
    ...(t['labelSelector'] !== undefined ? { labelSelector: t['labelSelector'] as LabelSelector } : {}),
    ...(namespaces && namespaces.length > 0 ? { namespaces } : {}),
  };
}

function affinityOf(value: unknown): Affinity | undefined {
  const affinity = asRecord(value);
  if (!affinity) return undefined;
  const out: { nodeAffinity?: Affinity['nodeAffinity']; podAntiAffinity?: Affinity['podAntiAffinity'] } = {};
  const node = asRecord(affinity['nodeAffinity']);
  if (node) {
    const required = asRecord(node['requiredDuringSchedulingIgnoredDuringExecution']);
    const preferred = node['preferredDuringSchedulingIgnoredDuringExecution'];
    out.nodeAffinity = {
      ...(required && Array.isArray(required['nodeSelectorTerms'])
        ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: required['nodeSelectorTerms'].map(selectorTerm) } }
        : {}),
      ...(Array.isArray(preferred)
        ? {
            preferredDuringSchedulingIgnoredDuringExecution: preferred.map((p) => ({
              weight: Number(asRecord(p)?.['weight'] ?? 1),
              preference: selectorTerm(asRecord(p)?.['preference']),
            })),
          }
        : {}),
    };
  }
  const anti = asRecord(affinity['podAntiAffinity']);
  if (anti) {
    const required = anti['requiredDuringSchedulingIgnoredDuringExecution'];
    const preferred = anti['preferredDuringSchedulingIgnoredDuringExecution'];
    out.podAntiAffinity = {
      ...(Array.isArray(required)
        ? { requiredDuringSchedulingIgnoredDuringExecution: required.map(podAffinityTerm).filter((t): t is PodAffinityTerm => t !== undefined) }
        : {}),
      ...(Array.isArray(preferred)
        ? {
            preferredDuringSchedulingIgnoredDuringExecution: preferred.flatMap((p) => {
              const term = podAffinityTerm(asRecord(p)?.['podAffinityTerm']);
              return term ? [{ weight: Number(asRecord(p)?.['weight'] ?? 1), podAffinityTerm: term }] : [];
            }),
          }
        : {}),
    };
  }
  return out;
}

function tolerationsOf(value: unknown): Toleration[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((t) => {
    const toleration = asRecord(t) ?? {};
    const effect = toleration['effect'];
    return {
      ...(typeof toleration['key'] === 'string' && toleration['key'] !== '' ? { key: toleration['key'] } : {}),
      operator: toleration['operator'] === 'Exists' ? 'Exists' : 'Equal',
      ...(typeof toleration['value'] === 'string' ? { value: toleration['value'] } : {}),
      ...(effect === 'NoSchedule' || effect === 'PreferNoSchedule' || effect === 'NoExecute' ? { effect } : {}),
    };
  });
}

function spreadOf(value: unknown): TopologySpreadConstraint[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((c) => {
    const constraint = asRecord(c);
    if (!constraint || typeof constraint['topologyKey'] !== 'string') return [];
    return [
      {
        maxSkew: typeof constraint['maxSkew'] === 'number' ? constraint['maxSkew'] : 1,
        topologyKey: constraint['topologyKey'],
        whenUnsatisfiable: constraint['whenUnsatisfiable'] === 'ScheduleAnyway' ? 'ScheduleAnyway' : 'DoNotSchedule',
        ...(constraint['labelSelector'] !== undefined ? { labelSelector: constraint['labelSelector'] as LabelSelector } : {}),
      },
    ];
  });
}

/** Maps a pod template onto the placement engine's input (Kubernetes field names on both sides). */
export function templateProfile(namespace: string, deployment: string, template: PodTemplate): TemplateProfile {
  const spec = podSpecOf(template);
  const nodeSelector = stringMap(spec['nodeSelector']);
  const affinity = affinityOf(spec['affinity']);
  const tolerations = tolerationsOf(spec['tolerations']);
  const spread = spreadOf(spec['topologySpreadConstraints']);
  const hostPorts = hostPortsOf(template);
  return {
    namespace,
    deployment,
    labels: templateLabels(template),
    requests: requestsOf(template),
    ...(hostPorts.length > 0 ? { hostPorts } : {}),
    ...(nodeSelector ? { nodeSelector } : {}),
    ...(affinity ? { affinity } : {}),
    ...(tolerations ? { tolerations } : {}),
    ...(spread ? { topologySpreadConstraints: spread } : {}),
  };
}

const MAX_PROFILES = 10_000;

/** Caches template profiles per (deployment, template hash): thousands of replicas share a handful. */
export class ReplicaSpecMapper {
  private readonly profiles = new Map<string, TemplateProfile>();

  toSpec(replica: ReplicaState): ReplicaSpec {
    const key = `${replica.deploymentKey}\u0000${replica.templateHash}`;
    let profile = this.profiles.get(key);
    if (!profile) {
      // Templates come and go with rollouts; a rebuild now and then keeps the cache to the live ones.
      if (this.profiles.size >= MAX_PROFILES) this.profiles.clear();
      profile = templateProfile(replica.namespace, replica.deployment, replica.template);
      this.profiles.set(key, profile);
    }
    return { ...profile, uid: replica.uid, priority: replica.priority };
  }
}
