import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestDatabase, TestDatabase } from './test-database';
import { TestNatsServer } from './nats-server';
import { ServiceName, ServiceProcess, startService, waitForHttp } from './service-process';

const run = promisify(execFile);

export interface TestClusterOptions {
  /** Node-agents to start; node i advertises `nodeAddresses[i]`, in a loopback /24 of this cluster's own. */
  nodes?: number;
  /** Control-plane services to start (default: all four). */
  services?: Exclude<ServiceName, 'node-agent'>[];
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Postgres to use instead of TEST_DATABASE_URL (e.g. a PrivatePostgres the test restarts). */
  databaseUrl?: string;
  /** Extra environment per node-agent (index -> env). */
  nodeEnv?: (index: number) => Record<string, string>;
}

export interface TestCluster {
  id: string;
  db: TestDatabase;
  nats: TestNatsServer;
  gatewayUrl: string;
  services: Map<string, ServiceProcess>;
  nodeNames: string[];
  /** Advertise address of each node: 127.A.B.(i+2), A.B unique to the cluster, so clusters of tests running side by side never share a nodePort. */
  nodeAddresses: string[];
  env: Record<string, string>;
  /** Starts (or restarts) one node-agent by index. */
  startNode(index: number): Promise<ServiceProcess>;
  /** Starts (or restarts) one control-plane service. */
  startControlPlane(name: Exclude<ServiceName, 'node-agent'>): Promise<ServiceProcess>;
  /** Berth containers of this cluster on the Docker engine. */
  containers(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * The whole system as real processes, isolated from other tests: its own schema, its own
 * NATS server, node names unique to it (their containers carry them as the berth.node label).
 */
export async function startCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const id = randomBytes(3).toString('hex');
  const db = await createTestDatabase(`c${id}`, options.databaseUrl ? { url: options.databaseUrl } : {});
  const nats = await TestNatsServer.start();
  const env: Record<string, string> = {
    DATABASE_URL: db.options.url,
    DATABASE_SCHEMA: db.options.schema,
    NATS_URL: nats.url,
    LOG_LEVEL: process.env['BERTH_CLUSTER_LOG_LEVEL'] ?? 'warn',
    ANONYMOUS: 'true',
    ...options.env,
  };
  const services = new Map<string, ServiceProcess>();
  const nodeNames = Array.from({ length: options.nodes ?? 1 }, (_, i) => `n${id}-${i}`);
  const stateRoot = mkdtempSync(join(tmpdir(), `berth-cluster-${id}-`));
  const subnet = `127.${(parseInt(id.slice(0, 2), 16) % 250) + 1}.${parseInt(id.slice(2, 4), 16)}`;
  const nodeAddresses = nodeNames.map((_, i) => `${subnet}.${i + 2}`);

  // BERTH_CLUSTER_LOG_DIR=/some/dir keeps every process's output (restarts appended) for a post-mortem.
  const logDir = process.env['BERTH_CLUSTER_LOG_DIR'];
  if (logDir) mkdirSync(logDir, { recursive: true });
  const keepOutput = (key: string, service: ServiceProcess) => {
    if (!logDir) return;
    const file = createWriteStream(join(logDir, `${id}-${key.replace(':', '-')}.log`), { flags: 'a' });
    service.process.stdout?.pipe(file, { end: false });
    service.process.stderr?.pipe(file, { end: false });
    service.process.once('close', () => file.end());
  };

  const startControlPlane = async (name: Exclude<ServiceName, 'node-agent'>) => {
    await services.get(name)?.stop();
    const service = await startService(name, env);
    keepOutput(name, service);
    services.set(name, service);
    await waitForHttp(`http://127.0.0.1:${service.port}/healthz`, service, 60_000);
    return service;
  };
  const startNode = async (index: number) => {
    const key = `node-agent:${index}`;
    await services.get(key)?.stop();
    const service = await startService('node-agent', {
      ...env,
      NODE_NAME: nodeNames[index],
      ADVERTISE_ADDRESS: nodeAddresses[index],
      STATE_DIR: join(stateRoot, nodeNames[index]),
      ...options.nodeEnv?.(index),
    });
    keepOutput(key, service);
    services.set(key, service);
    await waitForHttp(`http://127.0.0.1:${service.port}/healthz`, service, 60_000);
    return service;
  };

  const containers = async () => {
    const { stdout } = await run('docker', ['ps', '-a', '--filter', 'label=berth.managed=true', '--format', '{{.ID}} {{.Label "berth.node"}}']);
    return stdout
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter(([cid, node]) => cid && nodeNames.includes(node))
      .map(([cid]) => cid);
  };

  const stop = async () => {
    await Promise.all([...services.values()].map((service) => service.stop(5_000)));
    const ids = await containers().catch(() => []);
    if (ids.length > 0) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
    await nats.dispose();
    await db.cleanup();
    rmSync(stateRoot, { recursive: true, force: true });
  };

  try {
    // In parallel: the services serialize their migrations with an advisory lock themselves.
    await Promise.all((options.services ?? ['api-gateway', 'scheduler', 'monitor', 'autoscaler']).map((name) => startControlPlane(name)));
    await Promise.all(nodeNames.map((_, i) => startNode(i)));
  } catch (error) {
    await stop();
    throw error;
  }
  const gateway = services.get('api-gateway');
  return {
    id,
    db,
    nats,
    gatewayUrl: gateway ? `http://127.0.0.1:${gateway.port}` : '',
    services,
    nodeNames,
    nodeAddresses,
    env,
    startNode,
    startControlPlane,
    containers,
    stop,
  };
}
