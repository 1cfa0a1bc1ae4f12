import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The scheduler's Prometheus metrics, registered on the service's registry. */
export class SchedulerMetrics {
  readonly schedulingLatency: Histogram;
  readonly pendingReplicas: Gauge;
  readonly placements: Counter;
  readonly unschedulable: Counter;
  readonly preemptions: Counter;
  readonly syncDuration: Histogram<'controller'>;
  readonly conflicts: Counter<'phase'>;
  readonly leader: Gauge;
  readonly statePosition: Gauge;
  readonly desiredUpdates: Counter;
  readonly desiredRequests: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.schedulingLatency = new Histogram({
      name: 'berth_scheduler_scheduling_latency_seconds',
      help: 'Time from ReplicaCreated to its ReplicaScheduled being appended',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.pendingReplicas = new Gauge({ name: 'berth_scheduler_pending_replicas', help: 'Replicas waiting for a node', registers });
    this.placements = new Counter({ name: 'berth_scheduler_placements_total', help: 'Replicas bound to a node', registers });
    this.unschedulable = new Counter({ name: 'berth_scheduler_unschedulable_total', help: 'Scheduling attempts that found no node', registers });
    this.preemptions = new Counter({ name: 'berth_scheduler_preemption_victims_total', help: 'Replicas evicted to make room for higher priority', registers });
    this.syncDuration = new Histogram({
      name: 'berth_scheduler_controller_sync_duration_seconds',
      help: 'Duration of one controller pass (planning and appends)',
      labelNames: ['controller'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.conflicts = new Counter({ name: 'berth_scheduler_append_conflicts_total', help: 'Appends refused for a stale expected version', labelNames: ['phase'], registers });
    this.leader = new Gauge({ name: 'berth_scheduler_leader', help: '1 while this copy holds the controller lease', registers });
    this.statePosition = new Gauge({ name: 'berth_scheduler_state_position', help: 'Log position the cluster state reflects', registers });
    this.desiredUpdates = new Counter({ name: 'berth_scheduler_desired_state_updates_total', help: 'Desired-state updates published to nodes', registers });
    this.desiredRequests = new Counter({ name: 'berth_scheduler_desired_state_requests_total', help: 'Desired-state requests answered', registers });
  }
}
