import { nodeHeartbeatSchema } from '@berth/contracts';
import { allocatable, NodeRegistration } from './node-registration';

const facts = { cpuMilli: 2_000, memoryBytes: 4 * 1024 ** 3, os: 'linux', arch: 'amd64', info: { runtime: 'docker', dockerVersion: '26.1.0' } };

describe('NodeRegistration', () => {
  it('builds valid heartbeats with labels, taints, capacity, allocatable and a growing seq', () => {
    const registration = new NodeRegistration(
      { node: 'n1', address: '127.0.0.2', labels: { zone: 'a', 'kubernetes.io/hostname': 'spoof' }, taints: [{ key: 'gpu', effect: 'NoSchedule' }], reserved: { cpuMilli: 500, memoryBytes: 1024 ** 3 } },
      facts,
    );
    const first = registration.heartbeat(3, 1_000);
    expect(nodeHeartbeatSchema.parse(first)).toEqual(first);
    expect(first).toMatchObject({
      node: 'n1',
      seq: 0,
      sentAt: 1_000,
      address: '127.0.0.2',
      labels: { zone: 'a', 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
      taints: [{ key: 'gpu', effect: 'NoSchedule' }],
      capacity: { cpuMilli: 2_000, memoryBytes: 4 * 1024 ** 3 },
      allocatable: { cpuMilli: 1_500, memoryBytes: 3 * 1024 ** 3 },
      info: { runtime: 'docker', dockerVersion: '26.1.0' },
      replicas: 3,
    });
    expect(registration.heartbeat(3).seq).toBe(1);
    expect(registration.heartbeat(3).bootId).toBe(first.bootId);
    expect(new NodeRegistration({ node: 'n1', address: 'a', labels: {}, taints: [], reserved: { cpuMilli: 0, memoryBytes: 0 } }, facts).bootId).not.toBe(first.bootId);
  });

  it('never makes allocatable negative', () => {
    expect(allocatable({ cpuMilli: 1_000, memoryBytes: 10 }, { cpuMilli: 4_000, memoryBytes: 20 })).toEqual({ cpuMilli: 0, memoryBytes: 0 });
  });
});
