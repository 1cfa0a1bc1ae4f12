import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { NodesReadModel, nodeConditions } from '@berth/read-models';
import { MetricsRegistry } from '@berth/service-kit';

/** The monitor's Prometheus metrics, on the service's registry (served at /metrics). */
@Injectable()
export class MonitorMetrics {
  readonly reportDuration: Histogram<'kind' | 'outcome'>;
  readonly heartbeatLag: Histogram;
  readonly leader: Gauge;
  readonly transitions: Counter<'type'>;
  readonly loopStalls: Counter;
  readonly statsSamples: Counter;
  readonly invalidMessages: Counter<'kind'>;

  constructor(registry: MetricsRegistry, nodes: NodesReadModel) {
    const registers = [registry.registry];
    new Gauge({
      name: 'berth_nodes',
      help: 'Nodes by condition, as the nodes read model holds them',
      labelNames: ['condition'],
      registers,
      async collect() {
        const counts = await nodes.countByCondition();
        for (const condition of nodeConditions) this.set({ condition }, counts[condition]);
      },
    });
    this.reportDuration = new Histogram({
      name: 'berth_monitor_report_duration_seconds',
      help: 'Time to turn a node report into an event and acknowledge it',
      labelNames: ['kind', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.heartbeatLag = new Histogram({
      name: 'berth_monitor_heartbeat_lag_seconds',
      help: 'Delay between an agent sending a heartbeat and the monitor reading it',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.leader = new Gauge({ name: 'berth_monitor_liveness_leader', help: '1 while this copy holds the liveness lease', registers });
    this.transitions = new Counter({
      name: 'berth_monitor_node_transitions_total',
      help: 'Node events this copy appended',
      labelNames: ['type'],
      registers,
    });
    this.loopStalls = new Counter({
      name: 'berth_monitor_loop_stalls_total',
      help: 'Liveness ticks that came late (our own event loop stalled); nobody was judged on them',
      registers,
    });
    this.statsSamples = new Counter({ name: 'berth_monitor_stats_samples_total', help: 'Replica usage samples stored', registers });
    this.invalidMessages = new Counter({
      name: 'berth_monitor_rejected_messages_total',
      help: 'Messages refused (invalid payload or wrong node)',
      labelNames: ['kind'],
      registers,
    });
  }
}
