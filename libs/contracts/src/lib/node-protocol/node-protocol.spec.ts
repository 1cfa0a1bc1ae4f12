import { InvalidMessage, nodeReportSchema, parseMessage, desiredStateSchema } from './node-protocol';

describe('node protocol payloads', () => {
  it('parses a valid report from bytes', () => {
    const report = parseMessage(
      nodeReportSchema,
      'berth.node.n1.report',
      new TextEncoder().encode(JSON.stringify({ reportId: '7d0c6f0e-4c5c-4a43-9f0e-6a1d8c6f1b11', node: 'n1', replicaUid: 'r1', kind: 'started', at: 1 })),
    );
    expect(report.kind).toBe('started');
  });

  it('names the bad fields of a report', () => {
    expect(() => parseMessage(nodeReportSchema, 's', JSON.stringify({ reportId: 'x', node: 'n1', replicaUid: '', kind: 'nope', at: 1 }))).toThrow(
      /reportId: .*replicaUid: .*kind:/,
    );
  });

  it('rejects a body that is not JSON', () => {
    expect(() => parseMessage(nodeReportSchema, 's', '{')).toThrow(InvalidMessage);
  });

  it('applies defaults to a desired replica', () => {
    const state = desiredStateSchema.parse({
      node: 'n1',
      position: 4,
      replicas: [{ uid: 'u', name: 'web-abc-1', namespace: 'default', deployment: 'web', templateHash: 'abc', containers: [{ name: 'web', image: 'nginx:latest', imagePullPolicy: 'IfNotPresent' }] }],
    });
    expect(state.replicas[0]).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30, containers: [{ env: {}, ports: [], limits: {} }] });
  });
});
