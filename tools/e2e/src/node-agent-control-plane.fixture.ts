import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { connect, type Msg, type NatsConnection, type Subscription } from 'nats';
import {
  desiredReplicaSchema,
  desiredStateRequestSchema,
  logsChunkSchema,
  nodeHeartbeatSchema,
  nodeReportSchema,
  nodeStatsSchema,
  parseMessage,
  Subjects,
  type DesiredReplica,
  type DesiredState,
  type DesiredStateRequest,
  type LogsChunk,
  type LogsRequest,
  type NodeHeartbeat,
  type NodeReport,
  type NodeStats,
  type ReportAck,
} from '@berth/contracts';
import { startService, WORKSPACE_ROOT, type ServiceProcess } from '@berth/testing';

export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
export const docker = new Dockerode();

/** A node name no other test uses. */
export function uniqueNode(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function buildTestImages(): void {
  execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet'], { stdio: 'inherit' });
}

/** A desired replica with one container; `uid` defaults to a fresh one. */
export function replica(container: Partial<DesiredReplica['containers'][number]> & { image: string }, more: Partial<Omit<DesiredReplica, 'containers'>> = {}): DesiredReplica {
  const uid = more.uid ?? `r${randomBytes(6).toString('hex')}`;
  return desiredReplicaSchema.parse({
    uid,
    name: `web-abc12-${uid.slice(-5)}`,
    namespace: 'default',
    deployment: 'web',
    templateHash: 'abc12',
    terminationGracePeriodSeconds: 5,
    ...more,
    containers: [{ name: 'main', imagePullPolicy: 'IfNotPresent', ...container }],
  });
}

/**
 * The control plane's side of the node protocol, played by the test over real NATS: answers
 * desired-state requests, publishes full-set updates, acks (or withholds acks for) reports, and
 * records heartbeats, reports and stats.
 */
export class ControlPlaneSide {
  readonly reports: NodeReport[] = [];
  readonly acked = new Set<string>();
  readonly heartbeats: NodeHeartbeat[] = [];
  readonly stats: NodeStats[] = [];
  readonly desiredRequests: DesiredStateRequest[] = [];
  answerDesired = true;
  ackReports = true;
  private readonly desired = new Map<string, Map<string, DesiredReplica>>();
  private position = 0;
  private readonly subscriptions: Subscription[] = [];

  private constructor(
    readonly nats: NatsConnection,
    readonly nodes: string[],
  ) {}

  static async connect(nodes: string | string[], url = NATS_URL, auth: { user?: string; pass?: string } = {}): Promise<ControlPlaneSide> {
    const nats = await connect({ servers: url, ...auth, maxReconnectAttempts: -1, reconnectTimeWait: 100, waitOnFirstConnect: true });
    const side = new ControlPlaneSide(nats, Array.isArray(nodes) ? nodes : [nodes]);
    for (const node of side.nodes) side.listen(node);
    await nats.flush();
    return side;
  }

  private listen(node: string): void {
    const on = (subject: string, handle: (msg: Msg) => void) =>
      this.subscriptions.push(this.nats.subscribe(subject, { callback: (error, msg) => !error && handle(msg) }));
    on(Subjects.nodeDesired(node), (msg) => {
      this.desiredRequests.push(parseMessage(desiredStateRequestSchema, msg.subject, msg.data));
      if (this.answerDesired) msg.respond(JSON.stringify(this.stateFor(node)));
    });
    on(Subjects.nodeReport(node), (msg) => {
      const report = parseMessage(nodeReportSchema, msg.subject, msg.data);
      this.reports.push(report);
      if (!this.ackReports) return;
      this.acked.add(report.reportId);
      msg.respond(JSON.stringify({ reportId: report.reportId, recorded: true } satisfies ReportAck));
    });
    on(Subjects.nodeHeartbeat(node), (msg) => this.heartbeats.push(parseMessage(nodeHeartbeatSchema, msg.subject, msg.data)));
    on(Subjects.nodeStats(node), (msg) => this.stats.push(parseMessage(nodeStatsSchema, msg.subject, msg.data)));
  }

  /** Sets the replicas of `node` (default: the first) and publishes the full set. */
  setReplicas(replicas: DesiredReplica[], node = this.nodes[0]): void {
    this.desired.set(node, new Map(replicas.map((r) => [r.uid, r])));
    this.publish(node);
  }

  add(...replicas: DesiredReplica[]): void {
    this.setReplicas([...this.replicasOf(), ...replicas]);
  }

  remove(...uids: string[]): void {
    this.setReplicas(this.replicasOf().filter((r) => !uids.includes(r.uid)));
  }

  replicasOf(node = this.nodes[0]): DesiredReplica[] {
    return [...(this.desired.get(node)?.values() ?? [])];
  }

  publish(node = this.nodes[0]): void {
    this.nats.publish(Subjects.nodeDesiredUpdate(node), JSON.stringify(this.stateFor(node)));
  }

  stateFor(node: string): DesiredState {
    this.position++;
    return { node, position: this.position, replicas: this.replicasOf(node) };
  }

  /** Reports about a replica, each reportId once (the control plane records reportId as the event id). */
  recorded(uid?: string, kind?: NodeReport['kind']): NodeReport[] {
    const seen = new Set<string>();
    return this.reports.filter((r) => (uid === undefined || r.replicaUid === uid) && (kind === undefined || r.kind === kind) && !seen.has(r.reportId) && seen.add(r.reportId));
  }

  async waitForReport(uid: string, kind: NodeReport['kind'], count = 1, timeoutMs = 20_000): Promise<NodeReport[]> {
    return waitFor(() => {
      const found = this.recorded(uid, kind);
      return found.length >= count ? found : undefined;
    }, timeoutMs, `${count} "${kind}" report(s) for ${uid}; have ${JSON.stringify(this.recorded(uid).map((r) => [r.kind, r.reason, r.restartCount]))}`);
  }

  /** Sends a LogsRequest and gathers chunks until done (or `until` says stop, for follow). */
  async logs(
    node: string,
    request: Partial<LogsRequest> & { replicaUid: string },
    until?: (lines: string[]) => boolean,
    timeoutMs = 15_000,
    inbox = `_INBOX.logs.${randomBytes(6).toString('hex')}`,
  ): Promise<{ lines: string[]; chunks: LogsChunk[] }> {
    const chunks: LogsChunk[] = [];
    const lines: string[] = [];
    const subscription = this.nats.subscribe(inbox);
    this.nats.publish(Subjects.nodeLogs(node), JSON.stringify(request), { reply: inbox });
    const timer = setTimeout(() => subscription.unsubscribe(), timeoutMs);
    try {
      for await (const msg of subscription) {
        const chunk = parseMessage(logsChunkSchema, inbox, msg.data);
        chunks.push(chunk);
        lines.push(...chunk.lines);
        if (chunk.done || until?.(lines)) break;
      }
    } finally {
      clearTimeout(timer);
      subscription.unsubscribe();
    }
    return { lines, chunks };
  }

  async close(): Promise<void> {
    this.subscriptions.forEach((s) => s.unsubscribe());
    await this.nats.close();
  }
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the node-agent from source as a real process, tuned for quick tests. */
export async function startAgent(node: string, env: Record<string, string> = {}): Promise<ServiceProcess & { stateDir: string }> {
  const stateDir = env['STATE_DIR'] ?? mkdtempSync(join(tmpdir(), 'berth-agent-state-'));
  const agent = await startService('node-agent', {
    NODE_NAME: node,
    STATE_DIR: stateDir,
    NATS_URL,
    HEARTBEAT_INTERVAL_MS: '250',
    STATS_INTERVAL_MS: '1000',
    DESIRED_RETRY_MAX_MS: '500',
    REPORT_RETRY_MAX_MS: '500',
    ...env,
  });
  return Object.assign(agent, { stateDir });
}

/** The engine's containers of a node (by the berth.node label), running or not. */
export async function containersOf(node: string): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`berth.node=${node}`] } });
}

export async function removeContainersOf(node: string): Promise<void> {
  const containers = await containersOf(node);
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}
