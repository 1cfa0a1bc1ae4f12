import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { auditLog, auditRelay, logAuditProblems, PrivatePostgres, startCluster, TestCluster, waitForState, WORKSPACE_ROOT } from '@berth/testing';
import { ApiClient, BerthContainer, chaosDeployment, CHAOS_NAMESPACE, clusterContainers, Declared, deploymentPath, expectGatewayShows, rollTo, scaleTo, sleep, waitForConvergence } from './chaos.fixture';

const run = promisify(execFile);
jest.setTimeout(240_000);

/** How long a service took to come back after the infrastructure did, and what it did first. */
interface Recovery {
  outage: string;
  /** ms from infrastructure up to each service's /healthz answering 200 again. */
  healthy: Record<string, number>;
  /** ms from infrastructure up to the first event each writer appended. */
  firstAppend: Record<string, number>;
  /** ms from infrastructure up to the declared state (log and Docker). */
  converged: number;
}

/**
 * Postgres and NATS go away in the middle of operations and come back. Every service must
 * reconnect on its own (nothing is restarted by the test), resume from its checkpoint, and lose
 * nothing: a write requested while the log is down fails cleanly (503) or completes afterwards,
 * agents' reports wait in their outbox, and the deployment converges. The Postgres is a private
 * throwaway cluster (PrivatePostgres) and NATS the cluster's own nats-server, so no other test
 * feels the restarts.
 */
describe('infrastructure restarts: Postgres and NATS in the middle of operations', () => {
  let pg: PrivatePostgres;
  let cluster: TestCluster;
  let api: ApiClient;
  const declared: Declared = { name: 'infra', replicas: 2, round: 0 };
  const recoveries: Recovery[] = [];
  const schema = () => `"${cluster.db.options.schema}"`;
  const gatewayUrl = () => `http://127.0.0.1:${cluster.services.get('api-gateway')?.port}`;

  beforeAll(async () => {
    execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet']);
    pg = await PrivatePostgres.start();
    cluster = await startCluster({ nodes: 2, databaseUrl: pg.url, env: { HEARTBEAT_INTERVAL_MS: '500' } });
    api = new ApiClient(gatewayUrl);
    await api.ok('POST', `/apis/apps/v1/namespaces/${CHAOS_NAMESPACE}/deployments`, chaosDeployment(declared.name, declared.replicas, 0));
    await waitForConvergence(cluster, declared);
  });
  afterAll(async () => {
    if (recoveries.length > 0) {
      const services = Object.keys(recoveries[0].healthy);
      const lines = recoveries.map(
        (r) =>
          `${r.outage}\n  /healthz 200 again (ms): ${services.map((s) => `${s} ${r.healthy[s]}`).join(', ')}\n` +
          `  first append after (ms): ${Object.entries(r.firstAppend).map(([actor, ms]) => `${actor} ${ms}`).join(', ')}\n` +
          `  converged after (ms): ${r.converged}`,
      );
      process.stdout.write(`infrastructure recovery\n${lines.join('\n')}\n`);
    }
    await cluster?.stop();
    await pg?.dispose();
  });

  const healthy = async (port: number): Promise<boolean> => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
      return false;
    }
  };

  /** Every service's /healthz, polled from `since` until 200; ms after `since`. */
  const healthRecovery = async (since: number): Promise<Record<string, number>> =>
    Object.fromEntries(
      await Promise.all(
        [...cluster.services].map(async ([key, service]) => {
          const deadline = Date.now() + 60_000;
          while (!(await healthy(service.port))) {
            if (Date.now() > deadline) throw new Error(`${key} did not report healthy within 60 s:\n${service.output().slice(-3000)}`);
            await sleep(50);
          }
          return [key, Date.now() - since] as const;
        }),
      ),
    );

  /** First event of each writer (metadata.actor) recorded after `since`. */
  const firstAppends = async (since: number): Promise<Record<string, number>> => {
    const rows = await cluster.db.pool.query<{ actor: string; at: Date }>(
      `SELECT coalesce(metadata->>'actor', '?') AS actor, min(recorded_at) AS at FROM ${schema()}.events WHERE recorded_at >= $1 GROUP BY 1 ORDER BY 2`,
      [new Date(since)],
    );
    return Object.fromEntries(rows.rows.map((r) => [r.actor.replace(/^node:n[0-9a-f]+-/, 'node-agent:'), r.at.getTime() - since]));
  };

  const recover = async (outage: string, since: number): Promise<Recovery> => {
    const [healthyAfter, converged] = await Promise.all([
      healthRecovery(since),
      waitForConvergence(cluster, declared, 120_000).then(() => Date.now() - since),
    ]);
    const recovery = { outage, healthy: healthyAfter, firstAppend: await firstAppends(since), converged };
    recoveries.push(recovery);
    return recovery;
  };

  /** Nobody was restarted by the test: every process that started with the cluster is still the same one. */
  const pids = () => Object.fromEntries([...cluster.services].map(([key, s]) => [key, s.process.pid]));

  it('NATS restarted during a scale-up: services reconnect, the rollout requested meanwhile completes', async () => {
    const before = pids();
    declared.replicas = 4;
    await scaleTo(api, declared.name, 4);
    await cluster.nats.stop();
    const downAt = Date.now();
    // The log does not need NATS: a write while it is down is accepted at once.
    declared.round = 1;
    await rollTo(api, declared.name, 1);
    await sleep(Math.max(0, 3_000 - (Date.now() - downAt)));
    await cluster.nats.restart();
    const recovery = await recover('NATS stopped for 3 s during a scale-up, a rollout requested while it was down', Date.now());
    expect(pids()).toEqual(before);
    expect(recovery.converged).toBeLessThan(120_000);
    await expectGatewayShows(api, declared);
  });

  it('Postgres restarted (pg_ctl restart -m fast) during a rollout: everyone reconnects and resumes', async () => {
    const before = pids();
    declared.round = 2;
    await rollTo(api, declared.name, 2);
    await pg.restart('fast');
    await recover('Postgres restart -m fast during a rollout', Date.now());
    expect(pids()).toEqual(before);
    await expectGatewayShows(api, declared);
  });

  it('Postgres stopped (immediate) for a few seconds: writes fail cleanly with 503, agent reports wait, all completes after', async () => {
    const before = pids();
    let victim: BerthContainer | undefined;
    declared.replicas = 3;
    await scaleTo(api, declared.name, 3);
    // The scale-down is decided (its stop is still on the way) when the log goes: the replicas that stay are known.
    const decided = await waitForState(
      'the scale-down decided',
      (s) => [...s.replicas.values()].filter((r) => r.deploymentKey === `${CHAOS_NAMESPACE}/${declared.name}` && !r.deletionRequested).length === 3,
      cluster.db.store,
    );
    const staying = new Set([...decided.replicas.values()].filter((r) => !r.deletionRequested).map((r) => r.uid));
    await pg.stopServer('immediate');
    const downAt = Date.now();
    try {
      // A write while the log is down: refused cleanly, with a status a client retries on.
      const refused = await fetch(`${gatewayUrl()}${deploymentPath(declared.name)}/scale`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { replicas: 1 } }),
        signal: AbortSignal.timeout(30_000),
      });
      const status = (await refused.json()) as { kind: string; code: number; reason: string };
      expect({ code: refused.status, kind: status.kind, reason: status.reason }).toEqual({ code: 503, kind: 'Status', reason: 'ServiceUnavailable' });
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

      // Something happens on a node while the log is down: the agent's report must not be lost.
      victim = (await clusterContainers(cluster)).find((c) => c.state === 'running' && staying.has(c.replica));
      await run('docker', ['kill', victim?.id as string]);
      await sleep(Math.max(0, 4_000 - (Date.now() - downAt)));
    } finally {
      await pg.startServer();
    }
    const since = Date.now();
    // Read-your-writes holds across the crash: the scale to 3 answered before it is still what the gateway shows.
    const shown = (await api.ok('GET', deploymentPath(declared.name))) as { spec: { replicas: number } };
    expect(shown.spec.replicas).toBe(3);
    // The client retries its refused write.
    declared.replicas = 1;
    await scaleTo(api, declared.name, 1);
    const recovery = await recover('Postgres stopped (immediate) for 4 s: a write refused meanwhile and retried, a container killed meanwhile', since);
    expect(recovery.firstAppend).toHaveProperty('anonymous');
    expect(pids()).toEqual(before);
    const exited = await cluster.db.pool.query(`SELECT 1 FROM ${schema()}.events WHERE stream_id = $1 AND type = 'ReplicaExited'`, [`replica:${victim?.replica}`]);
    expect(exited.rowCount).toBeGreaterThan(0);
    await expectGatewayShows(api, declared);
  });

  it('afterwards the log is sound and the event stream has every event exactly once', async () => {
    expect(logAuditProblems(await auditLog(cluster.db.pool, cluster.db.options.schema))).toEqual([]);
    let relay = await auditRelay(cluster.nats.url, cluster.db.pool, cluster.db.options.schema);
    const deadline = Date.now() + 30_000;
    while (relay.missing.length > 0 && Date.now() < deadline) {
      await sleep(500);
      relay = await auditRelay(cluster.nats.url, cluster.db.pool, cluster.db.options.schema);
    }
    expect({ missing: relay.missing, duplicated: relay.duplicated, unknown: relay.unknown }).toEqual({ missing: [], duplicated: [], unknown: [] });
  });
});
