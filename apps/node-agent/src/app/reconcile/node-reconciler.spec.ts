import { ConsoleLogger, Logger } from '@nestjs/common';
import { desiredReplicaSchema, type DesiredReplica, type NodeReport } from '@berth/contracts';
import type { ContainerRuntime } from '@berth/docker-runtime';
import { HollowCluster } from '@berth/hollow-runtime';
import { ExecProbeRunner } from '../probes/probe-runner';
import type { ReportDraft } from '../reports/report-outbox';
import { TimerQueue } from '../shared/timer-queue';
import { toContainerSpec } from './container-spec.mapper';
import { NodeReconciler } from './node-reconciler';

/**
 * The reconcile loop end to end on a hollow (simulated) runtime: fast and deterministic enough for
 * unit tests. The same paths against the real Docker engine are in tools/e2e/src/node-agent*.spec.ts.
 */
describe('NodeReconciler (hollow runtime)', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  let cluster: HollowCluster;
  let runtime: ContainerRuntime;
  let timers: TimerQueue;
  let reconciler: NodeReconciler;
  let reports: (ReportDraft & { at: number })[];
  let position = 0;

  const replica = (uid: string, env: Record<string, string> = {}, more: Partial<DesiredReplica> = {}): DesiredReplica =>
    desiredReplicaSchema.parse({
      uid,
      name: `web-h-${uid}`,
      namespace: 'default',
      deployment: 'web',
      templateHash: 'h',
      terminationGracePeriodSeconds: 1,
      ...more,
      containers: [{ name: 'main', image: 'berth/http:test', imagePullPolicy: 'IfNotPresent', env, ports: [{ containerPort: 80 }] }],
    });
  const desire = (...replicas: DesiredReplica[]) => reconciler.applyDesired({ node: 'n1', position: ++position, replicas });
  const until = async (check: () => boolean, what: string, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(reports.map((r) => [r.replicaUid, r.kind, r.reason]))}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const of = (uid: string, kind: NodeReport['kind']) => reports.filter((r) => r.replicaUid === uid && r.kind === kind);

  beforeEach(() => {
    cluster = new HollowCluster({ missingImages: ['berth/absent:1'] });
    runtime = cluster.node('n1');
    timers = new TimerQueue();
    reports = [];
    reconciler = new NodeReconciler({
      node: 'n1',
      hostIp: '127.0.0.9',
      hostPortRange: { from: 20000, to: 20100 },
      runtime,
      probeRunner: new ExecProbeRunner(runtime),
      reports: { emit: (draft: ReportDraft) => reports.push({ ...draft, at: draft.at ?? Date.now() }) },
      timers,
      concurrency: 4,
      restartBackoff: { initialMs: 40, maxMs: 200, resetAfterMs: 10_000 },
      resyncIntervalMs: 60_000,
    });
  });

  afterEach(() => {
    reconciler.stop();
    timers.close();
    cluster.close();
  });

  it('creates desired replicas, reports started then ready, and removes what leaves the set with a stopped report', async () => {
    await reconciler.start();
    desire(replica('a'), replica('b'));
    await until(() => of('a', 'ready').length === 1 && of('b', 'ready').length === 1, 'both ready');
    const [started] = of('a', 'started');
    expect(started).toMatchObject({ kind: 'started', hostIp: '127.0.0.9', restartCount: 0 });
    expect(started.hostPorts?.['80']).toBeGreaterThanOrEqual(20000);
    expect(reports.filter((r) => r.replicaUid === 'a').map((r) => r.kind)).toEqual(['started', 'ready']);
    expect(reconciler.runningReplicas().map((r) => r.replicaUid).sort()).toEqual(['a', 'b']);

    desire(replica('b'));
    await until(() => of('a', 'stopped').length === 1, 'a stopped');
    expect(await runtime.list({ node: 'n1', replicaUid: 'a' })).toEqual([]);
    expect(of('b', 'stopped')).toEqual([]);
  });

  it('confirms the stop of a terminating replica it never ran, once, and reports a running one stopped once', async () => {
    await reconciler.start();
    desire(replica('kept'), replica('going'));
    await until(() => of('going', 'ready').length === 1, 'going ready');
    // 'ghost' was bound to this node and deleted while the agent heard nothing (NATS down, agent restarting).
    const terminating = (...uids: string[]) => reconciler.applyDesired({ node: 'n1', position: ++position, replicas: [replica('kept')], terminating: uids });
    terminating('ghost', 'going');
    await until(() => of('ghost', 'stopped').length === 1 && of('going', 'stopped').length === 1, 'both stops reported');
    expect(of('ghost', 'stopped')[0]).toMatchObject({ kind: 'stopped', replicaUid: 'ghost' });
    expect(await runtime.list({ node: 'n1', replicaUid: 'going' })).toEqual([]);
    // Still listed until the log has the stop: not reported again.
    terminating('ghost', 'going');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([of('ghost', 'stopped').length, of('going', 'stopped').length]).toEqual([1, 1]);
    expect(of('kept', 'stopped')).toEqual([]);
  });

  it('restarts a crashing container as new attempts with doubling backoff, and Never leaves it exited', async () => {
    await reconciler.start();
    desire(replica('crash', { HOLLOW_EXIT_AFTER_MS: '20', HOLLOW_EXIT_CODE: '3' }), replica('once', { HOLLOW_EXIT_AFTER_MS: '20', HOLLOW_EXIT_CODE: '3' }, { restartPolicy: 'Never' }));
    await until(() => of('crash', 'exited').length >= 4, 'four exits');
    const exits = of('crash', 'exited');
    const starts = of('crash', 'started');
    expect(exits.map((e) => [e.exitCode, e.reason, e.restartCount]).slice(0, 4)).toEqual([
      [3, 'Error', 0],
      [3, 'Error', 1],
      [3, 'Error', 2],
      [3, 'Error', 3],
    ]);
    [40, 80, 160].forEach((backoff, i) => expect(starts[i + 1].at - exits[i].at).toBeGreaterThanOrEqual(backoff));
    expect(of('once', 'exited')).toHaveLength(1);
    expect(of('once', 'started')).toHaveLength(1);
    // Superseded attempts are removed: the running one and at most its dead predecessor remain.
    expect((await runtime.list({ replicaUid: 'crash' })).length).toBeLessThanOrEqual(2);
  });

  it('adopts what it finds: waits for the desired set, keeps the newest duplicate, removes the rest and orphans', async () => {
    const placement = { node: 'n1', hostIp: '127.0.0.9', hostPortRange: { from: 20000, to: 20100 } };
    const older = await runtime.createAndStart(toContainerSpec(replica('dup'), 0, placement));
    const newer = await runtime.createAndStart(toContainerSpec(replica('dup'), 1, placement));
    const orphan = await runtime.createAndStart(toContainerSpec(replica('orphan'), 0, placement));
    await reconciler.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await runtime.list({ node: 'n1' })).length).toBe(3);
    expect(reports).toEqual([]);

    desire(replica('dup'));
    await until(() => of('orphan', 'stopped').length === 1, 'the orphan stopped');
    await until(() => of('dup', 'started').length === 1, 'the adopted container reported');
    const left = await runtime.list({ node: 'n1' });
    expect(left.map((c) => c.containerId)).toEqual([newer.containerId]);
    expect(of('dup', 'started')[0]).toMatchObject({ containerId: newer.containerId, restartCount: 1 });
    expect(of('orphan', 'stopped')[0].containerId).toBe(orphan.containerId);
    expect(left.map((c) => c.containerId)).not.toContain(older.containerId);
  });

  it('reports a failing create once, keeps retrying, and runs the rest', async () => {
    await reconciler.start();
    const absent = desiredReplicaSchema.parse({ ...replica('absent'), containers: [{ ...replica('absent').containers[0], image: 'berth/absent:1', imagePullPolicy: 'Never' }] });
    desire(absent, replica('fine'));
    await until(() => of('absent', 'failed').length === 1 && of('fine', 'ready').length === 1, 'the failure and the healthy replica');
    expect(of('absent', 'failed')[0]).toMatchObject({ reason: 'ErrImageNeverPull' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(of('absent', 'failed')).toHaveLength(1);
  });

  it('creates containers with the service variables of their namespace at the desired position; a failing lookup does not stop a create', async () => {
    const created: { uid: string; env: Record<string, string> | undefined }[] = [];
    const createAndStart = runtime.createAndStart.bind(runtime);
    runtime.createAndStart = (spec) => {
      created.push({ uid: spec.replicaUid, env: spec.env });
      return createAndStart(spec);
    };
    const asked: [string, string, number][] = [];
    reconciler.stop();
    reconciler = new NodeReconciler({
      node: 'n1',
      hostIp: '127.0.0.9',
      hostPortRange: { from: 20000, to: 20100 },
      runtime,
      probeRunner: new ExecProbeRunner(runtime),
      reports: { emit: (draft: ReportDraft) => reports.push({ ...draft, at: draft.at ?? Date.now() }) },
      timers,
      concurrency: 4,
      restartBackoff: { initialMs: 40, maxMs: 200, resetAfterMs: 10_000 },
      resyncIntervalMs: 60_000,
      serviceEnv: async (r, at) => {
        asked.push([r.uid, r.namespace, at]);
        if (r.namespace === 'broken') throw new Error('no services yet');
        return { WEB_SERVICE_HOST: '172.17.0.1', MODE: 'from-service' };
      },
    });
    await reconciler.start();
    reconciler.applyDesired({ node: 'n1', position: 42, replicas: [replica('s1', { MODE: 'own' }), replica('s2', {}, { namespace: 'broken' })] });
    await until(() => of('s1', 'started').length === 1 && of('s2', 'started').length === 1, 'both started');
    expect(asked.sort()).toEqual([
      ['s1', 'default', 42],
      ['s2', 'broken', 42],
    ]);
    expect(created.find((c) => c.uid === 's1')?.env).toEqual({ WEB_SERVICE_HOST: '172.17.0.1', MODE: 'own' });
    expect(created.find((c) => c.uid === 's2')?.env).toEqual({});
  });

  it('ignores a desired set older than the one it has', async () => {
    await reconciler.start();
    expect(reconciler.applyDesired({ node: 'n1', position: 10, replicas: [replica('new')] })).toBe(true);
    expect(reconciler.applyDesired({ node: 'n1', position: 9, replicas: [] })).toBe(false);
    await until(() => of('new', 'started').length === 1, 'the newer set to run');
    expect(of('new', 'stopped')).toEqual([]);
  });
});
