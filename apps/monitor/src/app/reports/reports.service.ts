import { Injectable, Logger } from '@nestjs/common';
import { InvalidEvent, InvalidStreamId, isValidStreamId, NodeReport, ReportAck, streamIds } from '@berth/contracts';
import { EventStore } from '@berth/event-store';
import { NodesReadModel } from '@berth/read-models';
import { assertSameNode, RequestRejected } from '../nats/nats-messages';
import { MonitorMetrics } from '../observability/monitor-metrics';
import { reportToEvent } from './report-event.mapper';
import { ReplicaStreams } from './replica-streams';

/**
 * Turns agents' reports into replica events. The report id is the event id, so a report the
 * agent re-sends (it keeps an outbox until acked) is recorded once and acked again.
 */
@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);
  private readonly replicaStreams: ReplicaStreams;

  constructor(
    private readonly store: EventStore,
    private readonly nodes: NodesReadModel,
    private readonly metrics: MonitorMetrics,
  ) {
    this.replicaStreams = new ReplicaStreams(store);
  }

  async record(report: NodeReport, subject: string): Promise<ReportAck> {
    const started = performance.now();
    let outcome = 'error';
    try {
      const ack = await this.recordReport(report, subject);
      outcome = ack.recorded ? 'recorded' : 'ignored';
      return ack;
    } catch (error) {
      if (error instanceof RequestRejected) outcome = 'rejected';
      throw error;
    } finally {
      this.metrics.reportDuration.observe({ kind: report.kind, outcome }, (performance.now() - started) / 1_000);
    }
  }

  private async recordReport(report: NodeReport, subject: string): Promise<ReportAck> {
    assertSameNode(subject, report.node);
    const stream = streamIds.replica(report.replicaUid);
    if (!isValidStreamId(stream)) {
      throw new RequestRejected(400, 'InvalidReport', new InvalidStreamId(stream).message, [{ field: 'replicaUid', message: 'must not contain whitespace' }]);
    }
    const fallbackHostIp = report.kind === 'started' && !report.hostIp ? (await this.nodes.get(report.node))?.address : undefined;
    const event = reportToEvent(report, fallbackHostIp);
    // A replica the log never created (e.g. a leftover container) gets no stream of its own.
    if (!(await this.replicaStreams.exists(stream))) {
      this.logger.warn({ msg: 'report about an unknown replica: acknowledged, not recorded', replica: report.replicaUid, node: report.node, kind: report.kind });
      return { reportId: report.reportId, recorded: false };
    }
    try {
      const result = await this.store.append(stream, 'any', [
        { eventId: report.reportId, type: event.type, data: event.data, metadata: { actor: `node:${report.node}`, causationId: report.reportId } },
      ]);
      if (result.deduplicated) this.logger.debug({ msg: 'report already recorded', reportId: report.reportId, replica: report.replicaUid });
      return { reportId: report.reportId, recorded: true, globalPosition: result.events[0].globalPosition };
    } catch (error) {
      if (error instanceof InvalidEvent) throw new RequestRejected(400, 'InvalidReport', error.message, error.issues);
      throw error;
    }
  }
}
