// Integration helpers: a scheduler runtime against a real schema and NATS, and fake node agents that
// play the agent and the monitor (they react to published desired sets by appending replica events).
import { randomBytes } from 'node:crypto';
import { connect, NatsConnection, Subscription } from 'nats';
import { Registry } from 'prom-client';
import { ClusterState, foldEvents } from '@berth/cluster-state';
import { DesiredReplica, DesiredState, desiredStateSchema, parseMessage, RecordedEvent, Subjects } from '@berth/contracts';
import { EventStore, Lease } from '@berth/event-store';
import { TestDatabase } from '@berth/testing';
import { SchedulerRuntime, SchedulerSettings } from '../runtime/scheduler.runtime';
import { deploymentManifest, DeploymentOptions, nodeRegistered, NodeOptions } from './cluster.fixture';

export const TEST_SETTINGS: SchedulerSettings = {
  nodeLostGraceMs: 0,
  desiredUpdateCoalesceMs: 20,
  leaseRetryMs: 100,
  leaseCheckMs: 200,
  resyncIntervalMs: 60_000,
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  scoringStrategy: 'LeastAllocated',
  preemption: true,
  nominationTimeoutMs: 30_000,
  errorBackoffMs: 100,
  appendConcurrency: 2_000,
};

export function uniquePrefix(): string {
  return `t${randomBytes(3).toString('hex')}`;
}

export async function startScheduler(
  db: TestDatabase,
  natsUrl: string,
  options: { settings?: Partial<SchedulerSettings>; lease?: Lease } = {},
): Promise<{ runtime: SchedulerRuntime; nats: NatsConnection; stop: () => Promise<void> }> {
  const nats = await connect({ servers: natsUrl });
  const runtime = new SchedulerRuntime({
    store: db.store,
    nats,
    databaseUrl: db.options.url,
    registry: new Registry(),
    settings: { ...TEST_SETTINGS, ...options.settings },
    lease: options.lease,
  });
  await runtime.start();
  return {
    runtime,
    nats,
    stop: async () => {
      await runtime.stop();
      await nats.drain().catch(() => undefined);
    },
  };
}

export async function waitUntil(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function readLog(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll(events.length === 0 ? 0 : events[events.length - 1].globalPosition, 5_000);
    events.push(...page);
    if (page.length < 5_000) return events;
  }
}

export async function foldLog(store: EventStore): Promise<ClusterState> {
  return foldEvents(await readLog(store));
}

export async function registerNode(store: EventStore, name: string, options: NodeOptions = {}): Promise<void> {
  await store.append(`node:${name}`, 'any', [
    { type: 'NodeRegistered', data: nodeRegistered(options) },
    ...(options.ready === false ? [] : [{ type: 'NodeReady', data: {} }]),
  ]);
}

export async function createDeployment(store: EventStore, name: string, options: DeploymentOptions = {}): Promise<void> {
  await store.append(`deployment:default/${name}`, 'no_stream', [{ type: 'DeploymentCreated', data: { manifest: deploymentManifest(name, options) } }]);
}

export async function updateDeployment(store: EventStore, name: string, options: DeploymentOptions = {}): Promise<void> {
  await store.append(`deployment:default/${name}`, 'any', [{ type: 'DeploymentUpdated', data: { manifest: deploymentManifest(name, options) } }]);
}

export async function deploymentEvent(store: EventStore, name: string, type: string, data: unknown = {}): Promise<void> {
  await store.append(`deployment:default/${name}`, 'any', [{ type, data }]);
}

export async function requestDesired(nats: NatsConnection, node: string): Promise<DesiredState> {
  const reply = await nats.request(Subjects.nodeDesired(node), JSON.stringify({ node, bootId: 'test-boot' }), { timeout: 5_000 });
  return parseMessage(desiredStateSchema, Subjects.nodeDesired(node), reply.data);
}

/**
 * Node agents and the monitor in one: each fake node follows its published desired set, "starts" new
 * replicas (ReplicaStarted, then ReplicaReady unless `isBroken`) and "stops" removed ones (ReplicaStopped).
 */
export class FakeAgents {
  private readonly subscriptions: Subscription[] = [];
  private readonly running = new Map<string, Set<string>>();
  private readonly positions = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private nats: NatsConnection | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly nodes: readonly string[],
    private readonly isBroken: (replica: DesiredReplica) => boolean = (r) => r.containers[0].image.includes('broken'),
  ) {}

  async start(natsUrl: string): Promise<void> {
    this.nats = await connect({ servers: natsUrl });
    for (const node of this.nodes) {
      this.running.set(node, new Set());
      this.subscriptions.push(
        this.nats.subscribe(Subjects.nodeDesiredUpdate(node), {
          callback: (_error, msg) => this.enqueue(parseMessage(desiredStateSchema, msg.subject, msg.data)),
        }),
      );
    }
    await this.nats.flush();
    for (const node of this.nodes) this.enqueue(await requestDesired(this.nats, node));
  }

  /** Work done so far has been appended. */
  async idle(): Promise<void> {
    await this.chain;
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.chain;
    await this.nats?.drain().catch(() => undefined);
  }

  private enqueue(set: DesiredState): void {
    this.chain = this.chain.then(() => this.reconcile(set)).catch(() => undefined);
  }

  private async reconcile(set: DesiredState): Promise<void> {
    if (set.position < (this.positions.get(set.node) ?? -1)) return;
    this.positions.set(set.node, set.position);
    const running = this.running.get(set.node) ?? new Set<string>();
    const desired = new Map(set.replicas.map((r) => [r.uid, r]));
    for (const [uid, replica] of desired) {
      if (running.has(uid)) continue;
      running.add(uid);
      await this.store.append(`replica:${uid}`, 'any', [
        { type: 'ReplicaStarted', data: { node: set.node, containerId: `c-${uid}`, hostPorts: { '80': 20000 + running.size }, hostIp: '127.0.0.1' } },
        ...(this.isBroken(replica) ? [] : [{ type: 'ReplicaReady', data: { node: set.node } }]),
      ]);
    }
    for (const uid of [...running]) {
      if (desired.has(uid)) continue;
      running.delete(uid);
      await this.store.append(`replica:${uid}`, 'any', [{ type: 'ReplicaStopped', data: { node: set.node } }]);
    }
  }
}
