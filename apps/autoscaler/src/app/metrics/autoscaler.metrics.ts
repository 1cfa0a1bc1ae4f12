import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The autoscaler's Prometheus metrics. */
export class AutoscalerMetrics {
  readonly decisions: Counter<'direction'>;
  readonly evaluationDuration: Histogram;
  readonly evaluationErrors: Counter<'reason'>;
  readonly conflicts: Counter;
  readonly leader: Gauge;
  readonly hpas: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.decisions = new Counter({ name: 'berth_autoscaler_decisions_total', help: 'Rescales appended, by direction', labelNames: ['direction'], registers });
    this.evaluationDuration = new Histogram({
      name: 'berth_autoscaler_evaluation_duration_seconds',
      help: 'Time to evaluate one HPA (metrics query, computation, append)',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5],
      registers,
    });
    this.evaluationErrors = new Counter({ name: 'berth_autoscaler_evaluation_errors_total', help: 'Evaluations that could not decide, by reason', labelNames: ['reason'], registers });
    this.conflicts = new Counter({ name: 'berth_autoscaler_append_conflicts_total', help: 'Appends refused by the expected-version check (retried next sync)', registers });
    this.leader = new Gauge({ name: 'berth_autoscaler_leader', help: '1 while this copy holds the autoscaler lease', registers });
    this.hpas = new Gauge({ name: 'berth_autoscaler_hpas', help: 'HorizontalPodAutoscalers in the state', registers });
  }
}
