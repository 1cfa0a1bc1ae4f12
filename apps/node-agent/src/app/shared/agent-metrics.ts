import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What each node agent exposes for the process-wide gauges (summed over hollow nodes). */
export interface MetricsSource {
  containersByState(): Record<string, number>;
  outboxDepth(): number;
}

/** The node-agent's Prometheus metrics; one set per process, fed by every node it hosts. */
export class AgentMetrics {
  readonly reconcileDuration: Histogram;
  readonly operationDuration: Histogram<'operation'>;
  readonly restarts: Counter<'reason'>;
  readonly probeFailures: Counter<'probe'>;
  readonly createFailures: Counter<'reason'>;
  readonly reports: Counter<'kind'>;
  readonly reportLatency: Histogram;
  readonly reportRetries: Counter;
  readonly heartbeats: Counter;
  private readonly sources = new Set<MetricsSource>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.reconcileDuration = new Histogram({
      name: 'berth_node_agent_reconcile_duration_seconds',
      help: 'Time of one reconcile pass: desired replicas compared with the containers, actions dispatched',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    });
    this.operationDuration = new Histogram({
      name: 'berth_node_agent_runtime_operation_duration_seconds',
      help: 'Container runtime operations started by reconciliation (create = image + create + start)',
      labelNames: ['operation'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const sources = this.sources;
    new Gauge({
      name: 'berth_node_agent_containers',
      help: 'Containers of this agent by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const totals: Record<string, number> = { running: 0, exited: 0, created: 0 };
        for (const source of sources) for (const [state, count] of Object.entries(source.containersByState())) totals[state] = (totals[state] ?? 0) + count;
        for (const [state, count] of Object.entries(totals)) this.labels(state).set(count);
      },
    });
    this.restarts = new Counter({ name: 'berth_node_agent_container_restarts_total', help: 'Container restarts by exit reason', labelNames: ['reason'], registers });
    this.probeFailures = new Counter({ name: 'berth_node_agent_probe_failures_total', help: 'Failed probe runs', labelNames: ['probe'], registers });
    this.createFailures = new Counter({ name: 'berth_node_agent_create_failures_total', help: 'Failed container creations by reason', labelNames: ['reason'], registers });
    new Gauge({
      name: 'berth_node_agent_outbox_depth',
      help: 'Reports waiting for their ack',
      registers,
      collect() {
        let depth = 0;
        for (const source of sources) depth += source.outboxDepth();
        this.set(depth);
      },
    });
    this.reports = new Counter({ name: 'berth_node_agent_reports_total', help: 'Reports acknowledged by the control plane', labelNames: ['kind'], registers });
    this.reportLatency = new Histogram({
      name: 'berth_node_agent_report_latency_seconds',
      help: 'From a report being created to its ack',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers,
    });
    this.reportRetries = new Counter({ name: 'berth_node_agent_report_retries_total', help: 'Report sends that failed and will be retried', registers });
    this.heartbeats = new Counter({ name: 'berth_node_agent_heartbeats_total', help: 'Heartbeats published', registers });
  }

  addSource(source: MetricsSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}
