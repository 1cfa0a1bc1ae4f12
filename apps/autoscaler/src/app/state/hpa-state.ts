import type { HorizontalPodAutoscalerSpec, ScaleEvent, TimestampedRecommendation } from '@berth/autoscaling';
import { categoryOf, EventData, RecordedEvent } from '@berth/contracts';

/** Recommendation and scale-event history of one HPA, as computeReplicas wants it. */
export interface HpaHistory {
  recommendations: TimestampedRecommendation[];
  scaleEvents: ScaleEvent[];
}

export interface HpaRecord {
  /** `<namespace>/<name>`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** Log position of the HorizontalPodAutoscalerCreated: a re-created name starts afresh. */
  readonly incarnation: number;
  readonly manifest: Readonly<Record<string, unknown>>;
  /** Validated by the gateway; computeReplicas checks it again. */
  readonly spec: HorizontalPodAutoscalerSpec;
  readonly generation: number;
  /** Version of the hpa stream: the expected version of the next append. */
  readonly version: number;
  /** Last HorizontalPodAutoscalerStatusChanged. */
  readonly status?: Readonly<Record<string, unknown>>;
  /** Rebuilt from Decided events: the history a restarted autoscaler starts from. */
  readonly history: HpaHistory;
}

export interface ServiceRecord {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
}

/** History older than this cannot matter: the longest stabilization window and policy period are 1 h. */
const HISTORY_MS = 3_600_000;

/** The autoscaler's own fold of the log: HPAs (with their decision history) and services' selectors. */
export class HpaState {
  readonly hpas = new Map<string, HpaRecord>();
  readonly services = new Map<string, ServiceRecord>();

  apply(event: RecordedEvent): void {
    const category = categoryOf(event.streamId);
    const key = event.streamId.slice(category.length + 1);
    if (category === 'hpa') this.applyHpa(key, event);
    else if (category === 'service') this.applyService(key, event);
  }

  private applyHpa(key: string, event: RecordedEvent): void {
    const existing = this.hpas.get(key);
    switch (event.type) {
      case 'HorizontalPodAutoscalerCreated':
      case 'HorizontalPodAutoscalerUpdated': {
        const manifest = (event.data as EventData<'HorizontalPodAutoscalerCreated'>).manifest;
        const keep = event.type === 'HorizontalPodAutoscalerUpdated' && existing;
        this.hpas.set(key, {
          key,
          ...splitKey(key),
          incarnation: keep ? existing.incarnation : event.globalPosition,
          manifest,
          spec: (manifest['spec'] ?? {}) as HorizontalPodAutoscalerSpec,
          generation: keep ? existing.generation + 1 : 1,
          version: event.streamVersion,
          status: keep ? existing.status : undefined,
          history: keep ? existing.history : { recommendations: [], scaleEvents: [] },
        });
        return;
      }
      case 'HorizontalPodAutoscalerDeleted':
        this.hpas.delete(key);
        return;
      case 'HorizontalPodAutoscalerDecided': {
        if (!existing) return;
        const data = event.data as EventData<'HorizontalPodAutoscalerDecided'>;
        const at = event.recordedAt.getTime();
        const keepAfter = at - HISTORY_MS;
        this.hpas.set(key, {
          ...existing,
          version: event.streamVersion,
          history: {
            recommendations: [...existing.history.recommendations.filter((r) => r.timestamp > keepAfter), { timestamp: at, replicas: data.recommendation ?? data.desiredReplicas }],
            scaleEvents: [...existing.history.scaleEvents.filter((e) => e.timestamp > keepAfter), { timestamp: at, replicaChange: data.desiredReplicas - data.currentReplicas }],
          },
        });
        return;
      }
      case 'HorizontalPodAutoscalerStatusChanged':
        if (!existing) return;
        this.hpas.set(key, { ...existing, version: event.streamVersion, status: (event.data as EventData<'HorizontalPodAutoscalerStatusChanged'>).status });
        return;
      default:
        if (existing) this.hpas.set(key, { ...existing, version: event.streamVersion });
    }
  }

  private applyService(key: string, event: RecordedEvent): void {
    if (event.type === 'ServiceDeleted') {
      this.services.delete(key);
      return;
    }
    if (event.type !== 'ServiceCreated' && event.type !== 'ServiceUpdated') return;
    const manifest = (event.data as EventData<'ServiceCreated'>).manifest;
    const spec = (manifest['spec'] ?? {}) as { selector?: Record<string, string> };
    this.services.set(key, { key, ...splitKey(key), selector: spec.selector ?? {} });
  }
}

function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
