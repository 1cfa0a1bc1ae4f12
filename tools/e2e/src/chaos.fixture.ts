import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ClusterState, ReplicaState } from '@berth/cluster-state';
import { foldLog, TestCluster } from '@berth/testing';

const run = promisify(execFile);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** mulberry32: a seeded generator, so a failing chaos run can be replayed with CHAOS_SEED. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** What a request saw on the way: a gateway that was down (network error) or busy (5xx) before it went through. */
export interface ApiAttempts {
  networkErrors: number;
  serverErrors: Record<number, number>;
}

/**
 * The gateway's HTTP API as a user with a retry loop drives it: the gateway may be down or
 * restarting (its port changes on restart, hence `baseUrl()`), so network errors and 5xx
 * are retried until `timeoutMs`. Every write the tests make is idempotent (set replicas to n,
 * set an annotation), so retrying one whose answer was lost is safe.
 */
export class ApiClient {
  readonly attempts: ApiAttempts = { networkErrors: 0, serverErrors: {} };

  constructor(private readonly baseUrl: () => string) {}

  async request(method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = 60_000): Promise<ApiAnswer> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.baseUrl()}${path}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': contentType },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        if (response.status < 500) return { status: response.status, body: parsed };
        this.attempts.serverErrors[response.status] = (this.attempts.serverErrors[response.status] ?? 0) + 1;
        last = `${response.status} ${text.slice(0, 300)}`;
      } catch (error) {
        this.attempts.networkErrors++;
        last = String(error);
      }
      await sleep(200);
    }
    throw new Error(`${method} ${path} did not succeed in ${timeoutMs} ms (last: ${last})`);
  }

  /** Like request(), but anything other than 2xx is an error naming the answer. */
  async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<Record<string, unknown>> {
    const answer = await this.request(method, path, body, contentType);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
    return answer.body;
  }
}

export const CHAOS_NAMESPACE = 'default';
export const deploymentPath = (name: string) => `/apis/apps/v1/namespaces/${CHAOS_NAMESPACE}/deployments/${name}`;

/** berth/http:test behind a readiness probe, rolled by changing one template annotation. */
export function chaosDeployment(name: string, replicas: number, round: number): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: CHAOS_NAMESPACE, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: name }, annotations: { 'chaos/round': String(round) } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'web',
              image: 'berth/http:test',
              imagePullPolicy: 'Never',
              ports: [{ containerPort: 80 }],
              readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

export interface Declared {
  name: string;
  replicas: number;
  round: number;
}

export const scaleTo = (api: ApiClient, name: string, replicas: number) =>
  api.ok('PATCH', `${deploymentPath(name)}/scale`, { spec: { replicas } }, 'application/merge-patch+json');

export const rollTo = (api: ApiClient, name: string, round: number) =>
  api.ok('PATCH', deploymentPath(name), { spec: { template: { metadata: { annotations: { 'chaos/round': String(round) } } } } }, 'application/merge-patch+json');

export interface BerthContainer {
  id: string;
  replica: string;
  node: string;
  state: string;
}

/** Every container of the cluster's nodes on the Docker engine, running or not. */
export async function clusterContainers(cluster: TestCluster): Promise<BerthContainer[]> {
  const { stdout } = await run('docker', [
    'ps',
    '-a',
    '--filter',
    'label=berth.managed=true',
    // Replica containers only: network sandboxes (SANDBOX_POOL_SIZE) carry no berth.replica label.
    '--filter',
    'label=berth.replica',
    '--format',
    '{{.ID}} {{.Label "berth.replica"}} {{.Label "berth.node"}} {{.State}}',
  ]);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([id, , node]) => id && cluster.nodeNames.includes(node))
    .map(([id, replica, node, state]) => ({ id, replica, node, state }));
}

const annotationOf = (template: Readonly<Record<string, unknown>>): string | undefined =>
  ((template['metadata'] as { annotations?: Record<string, string> } | undefined)?.annotations ?? {})['chaos/round'];

/** Why the cluster does not match the declared state yet (empty when it does); `containers` null: hollow nodes, no Docker to check. */
export function divergence(state: ClusterState, containers: BerthContainer[] | null, declared: Declared, nodeNames: string[]): string[] {
  const key = `${CHAOS_NAMESPACE}/${declared.name}`;
  const deployment = state.deployments.get(key);
  if (!deployment) return [`deployment ${key} is not in the log`];
  const problems: string[] = [];
  if (deployment.spec.replicas !== declared.replicas) problems.push(`spec.replicas is ${deployment.spec.replicas}, declared ${declared.replicas}`);
  if (annotationOf(deployment.spec.template) !== String(declared.round)) problems.push(`template is round ${annotationOf(deployment.spec.template)}, declared ${declared.round}`);
  const replicas: ReplicaState[] = [...(state.index.byDeployment.get(key) ?? [])].map((uid) => state.replicas.get(uid)).filter((r): r is ReplicaState => !!r);
  const live = replicas.filter((r) => !r.deletionRequested);
  if (live.length !== declared.replicas) problems.push(`${live.length} live replicas, declared ${declared.replicas}`);
  const terminating = replicas.filter((r) => r.deletionRequested);
  if (terminating.length > 0) problems.push(`replicas still terminating: ${terminating.map((r) => `${r.uid} on ${r.node ?? '-'} (${r.phase}, ${r.deletionReason})`).join(', ')}`);
  const notReady = live.filter((r) => !r.ready || r.stopped);
  if (notReady.length > 0) problems.push(`${notReady.length} replicas not ready (${notReady.map((r) => r.phase).join(', ')})`);
  const stale = live.filter((r) => r.templateHash !== deployment.templateHash);
  if (stale.length > 0) problems.push(`${stale.length} replicas on an old template`);
  const offCluster = live.filter((r) => !r.node || !nodeNames.includes(r.node) || !state.nodes.get(r.node)?.ready);
  if (offCluster.length > 0) problems.push(`${offCluster.length} replicas not on a ready node`);
  if (containers === null) return problems;

  const running = containers.filter((c) => c.state === 'running');
  const notRunning = containers.filter((c) => c.state !== 'running');
  if (notRunning.length > 0) problems.push(`containers not running: ${notRunning.map((c) => `${c.id}(${c.state})`).join(', ')}`);
  const perReplica = new Map<string, BerthContainer[]>();
  for (const c of containers) perReplica.set(c.replica, [...(perReplica.get(c.replica) ?? []), c]);
  const liveUids = new Set(live.map((r) => r.uid));
  for (const [uid, list] of perReplica) {
    if (!liveUids.has(uid)) problems.push(`orphan container(s) ${list.map((c) => c.id).join(', ')} of replica ${uid}`);
    else if (list.length > 1) problems.push(`replica ${uid} has ${list.length} containers`);
  }
  for (const r of live) {
    const list = perReplica.get(r.uid) ?? [];
    if (list.length === 0) problems.push(`replica ${r.uid} has no container`);
    else if (list[0].node !== r.node) problems.push(`replica ${r.uid} is bound to ${r.node} but its container is on ${list[0].node}`);
  }
  if (running.length !== declared.replicas) problems.push(`${running.length} containers running, declared ${declared.replicas}`);
  return problems;
}

export interface ConvergenceOptions {
  /** Nodes the replicas may run on (default: the cluster's). */
  nodeNames?: string[];
  /** Check Docker too (default true; false for hollow nodes). */
  docker?: boolean;
}

/** Waits until the log and Docker both show the declared state; returns the state, or throws the last divergence. */
export async function waitForConvergence(cluster: TestCluster, declared: Declared, timeoutMs = 120_000, options: ConvergenceOptions = {}): Promise<ClusterState> {
  const deadline = Date.now() + timeoutMs;
  let problems: string[] = [];
  for (;;) {
    const state = await foldLog(cluster.db.store);
    const containers = options.docker === false ? null : await clusterContainers(cluster);
    problems = divergence(state, containers, declared, options.nodeNames ?? cluster.nodeNames);
    if (problems.length === 0) return state;
    if (Date.now() > deadline) {
      // The history of every replica that has not settled, for the post-mortem.
      const unsettled = [...state.replicas.values()].filter((r) => r.deploymentKey === `${CHAOS_NAMESPACE}/${declared.name}` && (r.deletionRequested || !r.ready));
      const histories = await Promise.all(
        unsettled.map(async (r) => `${r.uid}: ${(await cluster.db.store.readStream(`replica:${r.uid}`)).map((e) => `${e.type}${(e.data as { node?: string }).node ? `@${(e.data as { node: string }).node}` : ''}`).join(' ')}`),
      );
      throw new Error(`not converged to ${JSON.stringify(declared)} after ${timeoutMs} ms:\n  ${[...problems, ...histories].join('\n  ')}`);
    }
    await sleep(300);
  }
}

/** The Deployment as the gateway serves it agrees with the declared state. */
export async function expectGatewayShows(api: ApiClient, declared: Declared): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last: unknown;
  while (Date.now() < deadline) {
    const object = (await api.ok('GET', deploymentPath(declared.name))) as {
      metadata: { generation?: number };
      spec: { replicas: number; template: { metadata: { annotations: Record<string, string> } } };
      status?: { replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number; observedGeneration?: number };
    };
    last = { spec: object.spec.replicas, round: object.spec.template.metadata.annotations['chaos/round'], status: object.status, generation: object.metadata.generation };
    const s = object.status ?? {};
    if (
      object.spec.replicas === declared.replicas &&
      object.spec.template.metadata.annotations['chaos/round'] === String(declared.round) &&
      s.replicas === declared.replicas &&
      s.readyReplicas === declared.replicas &&
      s.updatedReplicas === declared.replicas &&
      s.availableReplicas === declared.replicas &&
      s.observedGeneration === object.metadata.generation
    ) {
      return;
    }
    await sleep(300);
  }
  throw new Error(`the gateway does not show ${JSON.stringify(declared)}: ${JSON.stringify(last)}`);
}
