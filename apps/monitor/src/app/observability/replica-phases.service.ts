import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { RecordedEvent } from '@berth/contracts';
import { EventStore, Subscription } from '@berth/event-store';
import { MetricsRegistry } from '@berth/service-kit';
import { MONITOR_CONFIG, MonitorConfig } from '../app.config';
import { ReplicaPhases, replicaPhases } from './replica-phases';

/**
 * Replicas by phase and restarts, for /metrics: follows the whole log from position 0, so every
 * copy of the monitor shows the same numbers and a restart rebuilds them from the log.
 */
@Injectable()
export class ReplicaPhasesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReplicaPhasesService.name);
  private readonly phases = new ReplicaPhases();
  private readonly restarts: Counter;
  private subscription: Subscription | null = null;

  constructor(
    private readonly store: EventStore,
    @Inject(MONITOR_CONFIG) private readonly config: MonitorConfig,
    registry: MetricsRegistry,
  ) {
    const phases = this.phases;
    new Gauge({
      name: 'berth_replicas',
      help: 'Replicas by phase, from the replica events of the log',
      labelNames: ['phase'],
      registers: [registry.registry],
      collect() {
        const counts = phases.counts();
        for (const phase of replicaPhases) this.set({ phase }, counts[phase]);
      },
    });
    this.restarts = new Counter({
      name: 'berth_replica_restarts_total',
      help: 'Container restarts of replicas (a start after an exit), from the log',
      registers: [registry.registry],
    });
  }

  onApplicationBootstrap(): void {
    this.subscription = new Subscription(this.store, 0, (event) => this.apply(event), {
      listenUrl: this.config.DATABASE_URL,
      onError: (error) => this.logger.warn({ msg: 'replica phase subscription error', error: String(error) }),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Position of the log the numbers reflect. */
  get position(): number {
    return this.subscription?.lastPosition ?? 0;
  }

  private apply(event: RecordedEvent): void {
    if (this.phases.apply(event).restarted) this.restarts.inc();
  }
}
