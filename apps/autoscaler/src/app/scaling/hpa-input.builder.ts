import type { HpaInput, HorizontalPodAutoscalerSpec, PodSample, Quantity, ResourceName } from '@berth/autoscaling';
import { ClusterState, DeploymentState, ownedReplicas, podPhase, PodTemplate, ReplicaState } from '@berth/cluster-state';
import { MetricsAnswer, MetricsItem, parseCpuMillicores, parseMemoryBytes } from '@berth/contracts';
import { ExternalMetricsStore } from '../metrics/external-metrics.store';
import { HpaHistory, HpaRecord, HpaState, ServiceRecord } from '../state/hpa-state';

/** Pods metric names the service proxy provides, and the service metric each one reads. */
export const POD_METRIC_FIELDS = {
  http_request_latency_ms: 'latencyMs',
  http_error_rate: 'errorRate',
  http_requests_per_second: 'requestsPerSecond',
} as const satisfies Record<string, keyof MetricsItem>;

/** The scale target is not a live Deployment of the HPA's namespace. */
export class ScaleTargetNotFound extends Error {
  override readonly name = 'ScaleTargetNotFound';
}

export interface ScaleTarget {
  readonly deployment: DeploymentState;
  /** Replicas of the current incarnation, deletion-requested ones included (marked deleting). */
  readonly replicas: readonly ReplicaState[];
  /** The service whose proxy measures these pods (Pods metrics), if any. */
  readonly service?: ServiceRecord;
}

export interface MetricsNeeds {
  readonly replicas: boolean;
  readonly service: boolean;
}

export interface BuildInput {
  readonly hpa: HpaRecord;
  readonly target: ScaleTarget;
  readonly replicaMetrics?: MetricsAnswer;
  readonly serviceMetrics?: MetricsAnswer;
  readonly external: ExternalMetricsStore;
  readonly history: HpaHistory;
  readonly now: number;
}

/** Turns the folded state plus metric answers into computeReplicas' input: no I/O, no clock. */
export class HpaInputBuilder {
  resolveTarget(hpa: HpaRecord, cluster: ClusterState, state: HpaState): ScaleTarget {
    const ref = hpa.spec.scaleTargetRef;
    if (ref?.kind !== 'Deployment') throw new ScaleTargetNotFound(`scale target kind "${ref?.kind}" is not supported (only Deployment)`);
    const deployment = cluster.deployments.get(`${hpa.namespace}/${ref.name}`);
    if (!deployment || deployment.deleted) throw new ScaleTargetNotFound(`deployments "${ref.name}" not found`);
    return { deployment, replicas: ownedReplicas(cluster, deployment), service: serviceFor(deployment, state) };
  }

  needs(spec: HorizontalPodAutoscalerSpec): MetricsNeeds {
    const metrics = spec.metrics ?? [];
    return {
      // No metrics means the default cpu utilization target.
      replicas: metrics.length === 0 || metrics.some((m) => m.type === 'Resource'),
      service: metrics.some((m) => m.type === 'Pods'),
    };
  }

  build(input: BuildInput): HpaInput {
    const { hpa, target, now } = input;
    const replicaItems = new Map((input.replicaMetrics?.items ?? []).map((item) => [item.name, item]));
    const serviceItem = input.serviceMetrics?.items.find((item) => item.name === target.service?.key);
    const live = target.replicas.filter((r) => !r.deletionRequested && r.ready);
    const pods = target.replicas.map((replica) =>
      this.pod(replica, target.deployment, replicaItems.get(replica.uid), input.replicaMetrics, serviceItem, live.length),
    );
    const externalMetrics = (hpa.spec.metrics ?? []).flatMap((metric) => {
      if (metric.type !== 'External' || !metric.external) return [];
      const found = input.external.lookup(metric.external.metric.name, metric.external.metric.selector, now);
      return found ? [found] : [];
    });
    return {
      spec: hpa.spec,
      currentReplicas: target.deployment.spec.replicas,
      statusReplicas: target.replicas.filter((r) => !r.deletionRequested).length,
      pods,
      externalMetrics,
      recommendations: input.history.recommendations,
      scaleEvents: input.history.scaleEvents,
      now,
    };
  }

  private pod(
    replica: ReplicaState,
    deployment: DeploymentState,
    item: MetricsItem | undefined,
    answer: MetricsAnswer | undefined,
    serviceItem: MetricsItem | undefined,
    servingPods: number,
  ): PodSample {
    const usage: Partial<Record<ResourceName, Quantity>> = {};
    if (item?.cpuPercent !== undefined) usage.cpu = `${Math.round(item.cpuPercent * 10)}m`;
    if (item?.memoryBytes !== undefined) usage.memory = Math.round(item.memoryBytes);
    return {
      name: replica.uid,
      phase: podPhase(replica),
      deleting: replica.deletionRequested,
      // A replica that never started has no Ready condition yet.
      ready: replica.startedAt === undefined ? undefined : replica.ready,
      readyTransitionTime: replica.readySince,
      startTime: replica.startedAt,
      requests: podRequests(replica.template ?? deployment.spec.template),
      usage,
      ...(answer ? { usageTimestamp: answer.at, usageWindowSeconds: answer.windowSeconds } : {}),
      metrics: replica.ready && !replica.deletionRequested && serviceItem ? podMetrics(serviceItem, servingPods) : {},
    };
  }
}

/**
 * The service proxy measures a service, not a pod: every ready pod behind it gets the service's
 * value, except requests per second, which is shared out among them.
 */
function podMetrics(item: MetricsItem, servingPods: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, field] of Object.entries(POD_METRIC_FIELDS)) {
    const value = item[field];
    if (value === undefined) continue;
    out[name] = field === 'requestsPerSecond' ? value / Math.max(1, servingPods) : value;
  }
  return out;
}

/** The first service (by name) of the namespace whose non-empty selector picks the deployment's pods. */
export function serviceFor(deployment: DeploymentState, state: HpaState): ServiceRecord | undefined {
  const labels = templateLabels(deployment.spec.template);
  const candidates = [...state.services.values()]
    .filter((s) => s.namespace === deployment.namespace)
    .filter((s) => Object.keys(s.selector).length > 0 && Object.entries(s.selector).every(([k, v]) => labels[k] === v))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return candidates[0];
}

function templateLabels(template: PodTemplate): Record<string, string> {
  const metadata = template['metadata'] as { labels?: Record<string, string> } | undefined;
  return metadata?.labels ?? {};
}

interface ContainerView {
  resources?: { requests?: Record<string, string | number> };
}

/** Requests summed over the containers; a resource some container does not request is left out (Kubernetes refuses it). */
export function podRequests(template: PodTemplate): Partial<Record<ResourceName, Quantity>> {
  const spec = template['spec'] as { containers?: ContainerView[] } | undefined;
  const containers = spec?.containers ?? [];
  if (containers.length === 0) return {};
  const out: Partial<Record<ResourceName, Quantity>> = {};
  const cpu = containers.map((c) => c.resources?.requests?.['cpu']);
  if (cpu.every((q) => q !== undefined)) out.cpu = `${cpu.reduce<number>((sum, q) => sum + parseCpuMillicores(q), 0)}m`;
  const memory = containers.map((c) => c.resources?.requests?.['memory']);
  if (memory.every((q) => q !== undefined)) out.memory = memory.reduce<number>((sum, q) => sum + parseMemoryBytes(q), 0);
  return out;
}
