import type { NatsConnection } from 'nats';
import { parseMessage, reportAckSchema, Subjects, type NodeReport } from '@berth/contracts';
import type { ReportTransport } from './report-outbox';

/** The control plane refused the report for good (a 4xx service error): resending cannot help. */
export class ReportRejected extends Error {
  override readonly name = 'ReportRejected';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Sends a report as a NATS request on berth.node.<node>.report and parses the ReportAck. An error
 * reply (NATS service-error headers) with a 4xx code is a rejection; anything else is retried.
 */
export function natsReportTransport(nats: NatsConnection, timeoutMs: number): ReportTransport {
  return async (report: NodeReport) => {
    const subject = Subjects.nodeReport(report.node);
    const reply = await nats.request(subject, JSON.stringify(report), { timeout: timeoutMs });
    const code = Number(reply.headers?.get('Nats-Service-Error-Code'));
    if (code >= 400 && code < 500) throw new ReportRejected(code, reply.headers?.get('Nats-Service-Error') || `rejected with ${code}`);
    return parseMessage(reportAckSchema, subject, reply.data);
  };
}
