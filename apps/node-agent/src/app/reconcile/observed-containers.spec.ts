import type { ContainerInfo, RuntimeEvent } from '@berth/docker-runtime';
import { ObservedContainers } from './observed-containers';

const labels = (replica: string, attempt = 0) => ({ 'berth.replica': replica, 'berth.node': 'n1', 'berth.attempt': String(attempt), 'berth.grace-period': '7' });
const event = (type: RuntimeEvent['type'], id: string, replica = 'r1', at = 1_000.5): RuntimeEvent =>
  ({ type, containerId: id, replicaUid: replica, labels: labels(replica), at: new Date(at), ...(type === 'die' ? { exit: { reason: 'Error', exitCode: 2, oomKilled: false } } : {}) }) as RuntimeEvent;
const info = (id: string, status: ContainerInfo['status'], replica = 'r1', attempt = 0): ContainerInfo => ({
  containerId: id,
  name: id,
  image: 'img',
  replicaUid: replica,
  replicaName: replica,
  node: 'n1',
  deployment: 'd',
  namespace: 'default',
  labels: labels(replica, attempt),
  status,
  oomKilled: false,
  createdAt: new Date(500),
  startedAt: new Date(600),
  hostPorts: { 80: 20001 },
  ports: [],
});

describe('ObservedContainers', () => {
  it('follows start, die and destroy events, in whole milliseconds, with attempt and grace period from labels', () => {
    const observed = new ObservedContainers();
    expect(observed.applyEvent(event('start', 'c1'))).toBe(true);
    expect(observed.get('c1')).toMatchObject({ replicaUid: 'r1', status: 'running', startedAt: 1_000, attempt: 0, gracePeriodSeconds: 7, tracked: false });
    expect(observed.applyEvent(event('start', 'c1'))).toBe(false);
    expect(observed.applyEvent(event('die', 'c1', 'r1', 2_000.7))).toBe(true);
    expect(observed.get('c1')).toMatchObject({ status: 'exited', finishedAt: 2_000, exit: { exitCode: 2 } });
    expect(observed.applyEvent(event('destroy', 'c1'))).toBe(true);
    expect(observed.get('c1')).toBeUndefined();
    // A late event of a destroyed container does not bring it back.
    expect(observed.applyEvent(event('die', 'c1'))).toBe(false);
  });

  it('keeps what an event already knows when the create call returns later', () => {
    const observed = new ObservedContainers();
    observed.applyEvent(event('start', 'c1'));
    observed.applyEvent(event('die', 'c1'));
    const container = observed.recordStarted('r1', 0, { containerId: 'c1', name: 'c1', hostPorts: { 80: 20002 }, ports: [] }, 30);
    expect(container).toMatchObject({ status: 'exited', hostPorts: { 80: 20002 }, gracePeriodSeconds: 30 });
  });

  it('merges a relist: newer knowledge wins, missing old entries go, destroyed ones stay gone', () => {
    const observed = new ObservedContainers();
    observed.recordStarted('r1', 0, { containerId: 'old', name: 'old', hostPorts: {}, ports: [] }, 5, 100);
    observed.recordStarted('r1', 1, { containerId: 'fresh', name: 'fresh', hostPorts: {}, ports: [] }, 5, 300);
    observed.applyEvent(event('destroy', 'gone'), 250);
    observed.merge([info('gone', 'running'), info('fresh', 'exited'), info('adopted', 'running', 'r2', 3)], 200, 400);
    expect(observed.get('old')).toBeUndefined();
    expect(observed.get('gone')).toBeUndefined();
    expect(observed.get('fresh')?.status).toBe('running');
    expect(observed.get('adopted')).toMatchObject({ replicaUid: 'r2', attempt: 3, status: 'running', hostPorts: { 80: 20001 }, startedAt: 600 });
    expect(observed.countByState()).toEqual({ running: 2 });
  });

  it('lists a replica newest attempt first', () => {
    const observed = new ObservedContainers();
    observed.merge([info('a0', 'exited', 'r1', 0), info('a2', 'running', 'r1', 2), info('a1', 'exited', 'r1', 1), info('x', 'running', 'r9')], 0);
    expect(observed.ofReplica('r1').map((c) => c.id)).toEqual(['a2', 'a1', 'a0']);
  });
});
