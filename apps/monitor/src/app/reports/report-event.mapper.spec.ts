import { randomUUID } from 'node:crypto';
import { NodeReport, validateEvent } from '@berth/contracts';
import { RequestRejected } from '../nats/nats-messages';
import { reportToEvent } from './report-event.mapper';

const report = (overrides: Partial<NodeReport>): NodeReport => ({ reportId: randomUUID(), node: 'n1', replicaUid: 'r1', kind: 'ready', at: 1, ...overrides });

describe('reportToEvent', () => {
  it.each([
    [{ kind: 'started', containerId: 'c1', hostIp: '127.0.0.2', hostPorts: { '80': 20001 } }, { type: 'ReplicaStarted', data: { node: 'n1', containerId: 'c1', hostIp: '127.0.0.2', hostPorts: { '80': 20001 } } }],
    [{ kind: 'ready' }, { type: 'ReplicaReady', data: { node: 'n1' } }],
    [{ kind: 'notReady', reason: 'ProbeFailed' }, { type: 'ReplicaNotReady', data: { node: 'n1', reason: 'ProbeFailed' } }],
    [{ kind: 'exited', exitCode: 137, reason: 'OOMKilled', restartCount: 2 }, { type: 'ReplicaExited', data: { node: 'n1', exitCode: 137, reason: 'OOMKilled', restartCount: 2 } }],
    [{ kind: 'exited', exitCode: 0 }, { type: 'ReplicaExited', data: { node: 'n1', exitCode: 0, reason: 'Completed', restartCount: 0 } }],
    [{ kind: 'failed', reason: 'ErrImageNeverPull', message: 'no image' }, { type: 'ReplicaFailed', data: { node: 'n1', reason: 'ErrImageNeverPull', message: 'no image' } }],
    [{ kind: 'stopped' }, { type: 'ReplicaStopped', data: { node: 'n1' } }],
  ] as [Partial<NodeReport>, unknown][])('maps %o to an event the catalogue accepts', (overrides, expected) => {
    const event = reportToEvent(report(overrides));
    expect(event).toEqual(expected);
    expect(() => validateEvent(event)).not.toThrow();
  });

  it('uses the node address for a started report without hostIp', () => {
    expect(reportToEvent(report({ kind: 'started', containerId: 'c1' }), '127.0.0.7')).toMatchObject({ data: { hostIp: '127.0.0.7', hostPorts: {} } });
  });

  it('names the fields a report lacks', () => {
    const rejection = (() => {
      try {
        reportToEvent(report({ kind: 'started' }));
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(rejection).toBeInstanceOf(RequestRejected);
    expect((rejection as RequestRejected).issues.map((i) => i.field)).toEqual(['containerId', 'hostIp']);
    expect(() => reportToEvent(report({ kind: 'exited' }))).toThrow(/exitCode/);
  });
});
