import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection, Subscription } from 'nats';
import { nodeReportSchema, QueueGroups, Subjects } from '@berth/contracts';
import { NATS_CONNECTION } from '@berth/messaging';
import { subscribeParsed } from '../nats/nats-messages';
import { MonitorMetrics } from '../observability/monitor-metrics';
import { ReportsService } from './reports.service';

/** NodeReport requests -> ReportAck replies (error replies for invalid or foreign reports). */
@Injectable()
export class ReportHandler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReportHandler.name);
  private subscription: Subscription | null = null;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly reports: ReportsService,
    private readonly metrics: MonitorMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = subscribeParsed(this.nats, {
      subject: Subjects.anyNodeReport,
      queue: QueueGroups.monitor,
      schema: nodeReportSchema,
      logger: this.logger,
      onInvalid: () => this.metrics.invalidMessages.inc({ kind: 'report' }),
      handle: (report, msg) => this.reports.record(report, msg.subject),
    });
  }

  beforeApplicationShutdown(): void {
    if (!this.nats.isClosed()) this.subscription?.unsubscribe();
  }
}
