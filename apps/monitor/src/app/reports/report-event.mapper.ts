import { EventData, NodeReport } from '@berth/contracts';
import { RequestRejected } from '../nats/nats-messages';

export type ReplicaReportEvent =
  | { type: 'ReplicaStarted'; data: EventData<'ReplicaStarted'> }
  | { type: 'ReplicaReady'; data: EventData<'ReplicaReady'> }
  | { type: 'ReplicaNotReady'; data: EventData<'ReplicaNotReady'> }
  | { type: 'ReplicaExited'; data: EventData<'ReplicaExited'> }
  | { type: 'ReplicaFailed'; data: EventData<'ReplicaFailed'> }
  | { type: 'ReplicaStopped'; data: EventData<'ReplicaStopped'> };

function missing(kind: string, ...fields: string[]): RequestRejected {
  return new RequestRejected(
    400,
    'InvalidReport',
    `a "${kind}" report needs ${fields.join(', ')}`,
    fields.map((field) => ({ field, message: `Required for a "${kind}" report` })),
  );
}

/**
 * The event a node report stands for. `fallbackHostIp` (the node's address) stands in for a
 * started report without hostIp. Throws RequestRejected naming the missing fields.
 */
export function reportToEvent(report: NodeReport, fallbackHostIp?: string): ReplicaReportEvent {
  const node = report.node;
  switch (report.kind) {
    case 'started': {
      const hostIp = report.hostIp ?? fallbackHostIp;
      if (!report.containerId || !hostIp) throw missing('started', ...[!report.containerId && 'containerId', !hostIp && 'hostIp'].filter((f): f is string => !!f));
      return { type: 'ReplicaStarted', data: { node, containerId: report.containerId, hostPorts: report.hostPorts ?? {}, hostIp } };
    }
    case 'ready':
      return { type: 'ReplicaReady', data: { node } };
    case 'notReady':
      return { type: 'ReplicaNotReady', data: { node, ...(report.reason ? { reason: report.reason } : {}) } };
    case 'exited': {
      if (report.exitCode === undefined) throw missing('exited', 'exitCode');
      return {
        type: 'ReplicaExited',
        data: {
          node,
          exitCode: report.exitCode,
          reason: report.reason ?? (report.exitCode === 0 ? 'Completed' : 'Error'),
          restartCount: report.restartCount ?? 0,
        },
      };
    }
    case 'failed':
      return { type: 'ReplicaFailed', data: { node, reason: report.reason ?? 'Failed', ...(report.message ? { message: report.message } : {}) } };
    case 'stopped':
      return { type: 'ReplicaStopped', data: { node } };
  }
}
