import { PlainCluster } from '../testing/cluster.fixture';
import { NodeLifecycle } from './node-lifecycle';

describe('node lifecycle', () => {
  function cluster(): { c: PlainCluster; uids: string[] } {
    const c = new PlainCluster().node('n1').node('n2').deployment('web', { replicas: 4 });
    c.sync('web');
    const uids = c.active('web').map((r) => r.uid);
    c.schedule(uids[0], 'n1').schedule(uids[1], 'n1').schedule(uids[2], 'n2');
    return { c, uids };
  }

  it('finishes deletions once the agent stopped the replica, or when it never ran anywhere', () => {
    const { c, uids } = cluster();
    for (const uid of uids) c.push(`replica:${uid}`, 'ReplicaDeletionRequested', { reason: 'ScaledDown' });
    const lifecycle = new NodeLifecycle({ nodeLostGraceMs: 0 });
    // uids[3] was never bound: done at once. The bound ones wait for their agent.
    expect(lifecycle.plan(c.state, c.now).finalize.map((a) => a.uid)).toEqual([uids[3]]);
    c.push(`replica:${uids[0]}`, 'ReplicaStopped', { node: 'n1' });
    expect(lifecycle.plan(c.state, c.now).finalize.map((a) => a.uid).sort()).toEqual([uids[0], uids[3]].sort());
    c.push('node:n2', 'NodeLost', { reason: 'gone' });
    expect(lifecycle.plan(c.state, c.now).finalize.map((a) => a.uid).sort()).toEqual([uids[0], uids[2], uids[3]].sort());
  });

  it('evicts the replicas of a lost node after the grace period', () => {
    const { c, uids } = cluster();
    c.push('node:n1', 'NodeLost', { reason: 'no heartbeat' });
    const lostAt = c.now;
    const graceful = new NodeLifecycle({ nodeLostGraceMs: 5_000 });
    expect(graceful.plan(c.state, lostAt + 1_000)).toMatchObject({ evictions: [], requeueAt: lostAt + 5_000 });
    expect(graceful.plan(c.state, lostAt + 5_000).evictions.map((a) => a.uid).sort()).toEqual([uids[0], uids[1]].sort());
    expect(new NodeLifecycle({ nodeLostGraceMs: 0 }).plan(c.state, lostAt).evictions).toHaveLength(2);
    // A node that comes back in time keeps its replicas.
    c.push('node:n1', 'NodeReady', {});
    expect(graceful.plan(c.state, lostAt + 10_000).evictions).toEqual([]);
  });
});
