import { categoryOf, RecordedEvent } from '@berth/contracts';

/** What `admin state` shows of an HPA; cluster-state does not fold HPAs, the autoscaler does it in its own app. */
export interface HpaView {
  readonly namespace: string;
  readonly name: string;
  readonly spec: Readonly<Record<string, unknown>>;
  /** Last HorizontalPodAutoscalerStatusChanged. */
  readonly status?: Readonly<Record<string, unknown>>;
  /** Last HorizontalPodAutoscalerDecided. */
  readonly lastDecision?: { readonly currentReplicas: number; readonly desiredReplicas: number; readonly reason: string };
}

/** HPAs (key `<namespace>/<name>`) as the log says they are, event by event. */
export class HpaFold {
  readonly hpas = new Map<string, HpaView>();

  apply(event: RecordedEvent): void {
    if (categoryOf(event.streamId) !== 'hpa') return;
    const key = event.streamId.slice('hpa:'.length);
    const existing = this.hpas.get(key);
    const data = (event.data ?? {}) as Record<string, unknown>;
    switch (event.type) {
      case 'HorizontalPodAutoscalerCreated':
      case 'HorizontalPodAutoscalerUpdated': {
        const manifest = (data['manifest'] ?? {}) as Record<string, unknown>;
        const slash = key.indexOf('/');
        const keep = event.type === 'HorizontalPodAutoscalerUpdated' ? existing : undefined;
        this.hpas.set(key, {
          namespace: key.slice(0, slash),
          name: key.slice(slash + 1),
          spec: (manifest['spec'] ?? {}) as Record<string, unknown>,
          ...(keep?.status ? { status: keep.status } : {}),
          ...(keep?.lastDecision ? { lastDecision: keep.lastDecision } : {}),
        });
        return;
      }
      case 'HorizontalPodAutoscalerDeleted':
        this.hpas.delete(key);
        return;
      case 'HorizontalPodAutoscalerStatusChanged':
        if (existing) this.hpas.set(key, { ...existing, status: (data['status'] ?? {}) as Record<string, unknown> });
        return;
      case 'HorizontalPodAutoscalerDecided':
        if (existing) {
          this.hpas.set(key, {
            ...existing,
            lastDecision: { currentReplicas: Number(data['currentReplicas']), desiredReplicas: Number(data['desiredReplicas']), reason: String(data['reason'] ?? '') },
          });
        }
        return;
      default:
        return;
    }
  }
}
