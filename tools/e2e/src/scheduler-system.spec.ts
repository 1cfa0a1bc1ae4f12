import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeReplicasOf } from '@berth/cluster-state';
import { validateResource } from '@berth/contracts';
import { createTestDatabase, ServiceProcess, startService, TestDatabase, TestNatsServer, waitForHttp, waitForState as until } from '@berth/testing';

jest.setTimeout(180_000);

function manifest(image: string, replicas: number): Record<string, unknown> {
  const result = validateResource({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }] } },
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.status));
  return result.value as unknown as Record<string, unknown>;
}

/** The real monitor, scheduler and a node-agent hosting three hollow nodes, wired only through Postgres and NATS. */
describe('scheduler with the monitor and hollow node-agents', () => {
  let db: TestDatabase;
  let nats: TestNatsServer;
  let stateDir: string;
  const services: ServiceProcess[] = [];
  const base = `sys${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase('e2esys');
    nats = await TestNatsServer.start();
    stateDir = mkdtempSync(join(tmpdir(), 'berth-sys-agent-'));
    const common = { DATABASE_URL: db.options.url, DATABASE_SCHEMA: db.options.schema, NATS_URL: nats.url };
    const monitor = await startService('monitor', { ...common, RELAY_ENABLED: 'false' });
    const scheduler = await startService('scheduler', common);
    services.push(monitor, scheduler);
    await waitForHttp(`http://127.0.0.1:${monitor.port}/healthz`, monitor, 60_000);
    await waitForHttp(`http://127.0.0.1:${scheduler.port}/healthz`, scheduler, 60_000);
    const agent = await startService('node-agent', {
      NATS_URL: nats.url,
      NODE_NAME: base,
      RUNTIME: 'hollow',
      HOLLOW_NODES: '3',
      ADVERTISE_ADDRESS: '127.0.1.1',
      STATE_DIR: stateDir,
      HEARTBEAT_INTERVAL_MS: '250',
    });
    services.push(agent);
    await waitForHttp(`http://127.0.0.1:${agent.port}/healthz`, agent, 60_000);
  });

  afterAll(async () => {
    for (const service of services.reverse()) await service.stop(5_000);
    await nats.dispose();
    await db.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs a deployment on the hollow nodes, rolls it out and scales it away', async () => {
    await until('3 ready nodes', (s) => [...s.nodes.values()].filter((n) => n.ready && n.name.startsWith(base)).length === 3, db.store);
    await db.store.append('deployment:default/web', 'no_stream', [{ type: 'DeploymentCreated', data: { manifest: manifest('nginx:latest', 3) } }]);
    const running = await until('3 available', (s) => s.deployments.get('default/web')?.status?.availableReplicas === 3, db.store);
    const d = running.deployments.get('default/web');
    const replicas = d ? activeReplicasOf(running, d) : [];
    expect(replicas).toHaveLength(3);
    expect(replicas.every((r) => r.ready && r.phase === 'Ready' && (r.hostIp ?? '').startsWith('127.0.1.'))).toBe(true);
    expect(new Set(replicas.map((r) => r.node)).size).toBe(3);

    await db.store.append('deployment:default/web', 'any', [{ type: 'DeploymentUpdated', data: { manifest: manifest('nginx:1.25', 3) } }]);
    await until(
      'rolled out to nginx:1.25',
      (s) => {
        const dep = s.deployments.get('default/web');
        if (!dep || s.replicas.size !== 3) return false;
        return activeReplicasOf(s, dep).every((r) => r.ready && JSON.stringify(r.template).includes('nginx:1.25'));
      },
      db.store,
    );

    await db.store.append('deployment:default/web', 'any', [{ type: 'DeploymentScaled', data: { replicas: 0 } }]);
    const empty = await until('every replica stopped and deleted', (s) => s.replicas.size === 0, db.store);
    expect(empty.deployments.get('default/web')?.status).toMatchObject({ replicas: 0 });
  });
});
