import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, createInbox, type Msg, type NatsConnection } from 'nats';
import { EVENTS_STREAM, Subjects } from '@berth/contracts';
import { connectNats } from '@berth/messaging';
import type { ServiceProcess } from '@berth/testing';
import { buildTestImages, containersOf, ControlPlaneSide, removeContainersOf, replica, startAgent, uniqueNode, waitFor } from './node-agent-control-plane.fixture';
import { generateNatsConfig, ImageConfiguredNats, PermissionViolation, startImageConfiguredNats, watchViolations } from './nats-server-config.fixture';

const CONTROL_PLANE = { user: 'berth', password: `cp-${randomBytes(8).toString('hex')}` };
const QUIET_MS = 400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a subscription receives, for "nothing arrived" checks. */
function collect(nats: NatsConnection, subject: string): Msg[] {
  const received: Msg[] = [];
  nats.subscribe(subject, { callback: (error, msg) => !error && received.push(msg) });
  return received;
}

/**
 * The NATS credentials model of the compose stack, proven on a real nats-server configured by the
 * image's own generator (tools/images/airgap/nats/nats-config.sh): a node-agent's user may use only
 * its node's `berth.node.<node>.>` subjects; the control plane's user may use everything.
 */
describe('NATS credentials: a node-agent may use only its own subjects', () => {
  const nodeA = uniqueNode('perm-a');
  const nodeB = uniqueNode('perm-b');
  const passwordA = randomBytes(8).toString('hex');
  const passwordB = randomBytes(8).toString('hex');
  let nats: ImageConfiguredNats;
  let plane: NatsConnection;
  let agentA: NatsConnection;
  let agentB: NatsConnection;
  let violationsA: PermissionViolation[];

  const agent = (node: string, password: string) => connectNats({ url: nats.server.url, name: `agent-${node}`, user: node, password, inboxPrefix: Subjects.nodeInbox(node) });

  async function expectViolation(operation: PermissionViolation['operation'], subject: string): Promise<void> {
    await waitFor(() => violationsA.some((v) => v.operation === operation && v.subject === subject), 5_000, `a ${operation} violation for ${subject}; saw ${JSON.stringify(violationsA)}`);
  }

  beforeAll(async () => {
    nats = await startImageConfiguredNats({ NATS_USER: CONTROL_PLANE.user, NATS_PASSWORD: CONTROL_PLANE.password, NATS_AGENT_USERS: `${nodeA}:${passwordA},${nodeB}:${passwordB}` });
    plane = await connectNats({ url: nats.server.url, name: 'control-plane', ...CONTROL_PLANE });
    agentA = await agent(nodeA, passwordA);
    agentB = await agent(nodeB, passwordB);
    violationsA = watchViolations(agentA);
  });

  afterAll(async () => {
    await Promise.all([plane, agentA, agentB].map((nc) => nc?.close()));
    await nats?.dispose();
  });

  it('generates one user per agent, limited to its own node subjects', () => {
    expect(nats.config).toContain(`{user: "${nodeA}", password: "${passwordA}", permissions: {publish: {allow: ["berth.node.${nodeA}.>"]}, subscribe: {allow: ["berth.node.${nodeA}.>"]}}}`);
    expect(nats.config).toContain(`{user: "berth", password: "${CONTROL_PLANE.password}"}`);
  });

  it('refuses unknown users, wrong passwords, and a bad NATS_AGENT_USERS', async () => {
    for (const [user, pass] of [[nodeA, 'wrong'], ['stranger', passwordA]]) {
      await expect(connect({ servers: nats.server.url, user, pass, maxReconnectAttempts: 0, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
    }
    expect(() => generateNatsConfig({ NATS_USER: 'berth', NATS_PASSWORD: 'x', NATS_AGENT_USERS: 'Bad_Node:pw' })).toThrow(/not a node name/);
    expect(() => generateNatsConfig({ NATS_USER: 'berth', NATS_PASSWORD: 'x', NATS_AGENT_USERS: 'node-1' })).toThrow(/needs a password/);
    expect(() => generateNatsConfig({ NATS_USER: 'berth', NATS_PASSWORD: 'x', NATS_AGENT_USERS: 'berth:pw' })).toThrow(/also NATS_USER/);
  });

  it("publishes its own heartbeats, stats and reports, and gets the control plane's acks on its own inbox", async () => {
    const heartbeats = collect(plane, Subjects.anyNodeHeartbeat);
    const stats = collect(plane, Subjects.anyNodeStats);
    plane.subscribe(Subjects.anyNodeReport, { callback: (_error, msg) => msg.respond(JSON.stringify({ reportId: 'r1', recorded: true })) });
    await plane.flush();
    agentA.publish(Subjects.nodeHeartbeat(nodeA), '{}');
    agentA.publish(Subjects.nodeStats(nodeA), '{}');
    const ack = await agentA.request(Subjects.nodeReport(nodeA), '{"reportId":"r1"}', { timeout: 5_000 });
    expect(ack.json()).toEqual({ reportId: 'r1', recorded: true });
    await waitFor(() => heartbeats.length === 1 && stats.length === 1, 5_000, 'the heartbeat and the stats');
    expect(heartbeats[0].subject).toBe(Subjects.nodeHeartbeat(nodeA));
    expect(violationsA).toEqual([]);
  });

  it('reads its own desired state and services, by request and by update', async () => {
    plane.subscribe(Subjects.anyNodeDesired, { callback: (_error, msg) => msg.respond(JSON.stringify({ node: msg.subject.split('.')[2], replicas: [] })) });
    plane.subscribe(Subjects.anyNodeServices, { callback: (_error, msg) => msg.respond('{"services":[]}') });
    await plane.flush();
    const desired = await agentA.request(Subjects.nodeDesired(nodeA), '{}', { timeout: 5_000 });
    expect(desired.json()).toEqual({ node: nodeA, replicas: [] });
    expect(desired.subject.startsWith(`${Subjects.nodeInbox(nodeA)}.`)).toBe(true);
    expect((await agentA.request(Subjects.nodeServices(nodeA), '{}', { timeout: 5_000 })).json()).toEqual({ services: [] });
    const updates = collect(agentA, Subjects.nodeDesiredUpdate(nodeA));
    const serviceUpdates = collect(agentA, Subjects.nodeServicesUpdate(nodeA));
    await agentA.flush();
    plane.publish(Subjects.nodeDesiredUpdate(nodeA), '{"position":1}');
    plane.publish(Subjects.nodeServicesUpdate(nodeA), '{"services":[]}');
    await waitFor(() => updates.length === 1 && serviceUpdates.length === 1, 5_000, 'the updates');
    expect(violationsA).toEqual([]);
  });

  it('streams logs to the reply subject the gateway names, inside its own subjects', async () => {
    agentA.subscribe(Subjects.nodeLogs(nodeA), {
      callback: (_error, msg) => {
        if (!msg.reply) return;
        agentA.publish(msg.reply, '{"lines":["one"],"done":false}');
        agentA.publish(msg.reply, '{"lines":["two"],"done":true}');
      },
    });
    await agentA.flush();
    const inbox = createInbox(Subjects.nodeLogsReply(nodeA));
    const chunks = collect(plane, inbox);
    await plane.flush();
    plane.publish(Subjects.nodeLogs(nodeA), '{"replicaUid":"r"}', { reply: inbox });
    await waitFor(() => chunks.length === 2, 5_000, 'two log chunks');
    expect(violationsA).toEqual([]);
  });

  it.each([
    ['a report as another node', Subjects.nodeReport(nodeB)],
    ['a heartbeat as another node', Subjects.nodeHeartbeat(nodeB)],
    ["another node's desired state", Subjects.nodeDesiredUpdate(nodeB)],
    ['a reply into another agent’s inbox', `${Subjects.nodeInbox(nodeB)}.x.y`],
    ['a reply into a control-plane inbox', '_INBOX.forged'],
    ['an event into the log stream', Subjects.event('deployment', 'DeploymentCreated')],
    ['an external metric', Subjects.externalMetric('queue_depth')],
    ['a metrics query', Subjects.metricsQuery],
  ])('cannot publish %s', async (_what, subject) => {
    const received = collect(plane, subject);
    await plane.flush();
    agentA.publish(subject, '{"forged":true}');
    await agentA.flush();
    await expectViolation('publish', subject);
    await sleep(QUIET_MS);
    expect(received).toEqual([]);
  });

  it.each([
    ["another node's desired-state updates", Subjects.nodeDesiredUpdate(nodeB)],
    ["another node's desired-state requests", Subjects.nodeDesired(nodeB)],
    ["another node's log requests (control)", Subjects.nodeLogs(nodeB)],
    ["another node's service updates", Subjects.nodeServicesUpdate(nodeB)],
    ["another agent's inbox (the replies with its desired state)", `${Subjects.nodeInbox(nodeB)}.>`],
    ["another node's log replies", `${Subjects.nodeLogsReply(nodeB)}.>`],
    ['every node', 'berth.node.>'],
    ['the desired state of all nodes', 'berth.node.*.desired.update'],
    ['control-plane inboxes', '_INBOX.>'],
    ['the event stream', Subjects.allEvents],
    ['everything', '>'],
  ])('cannot subscribe to %s', async (_what, subject) => {
    const received = collect(agentA, subject);
    await agentA.flush();
    await expectViolation('subscription', subject);
    // What the control plane sends agent B meanwhile never reaches A.
    plane.publish(Subjects.nodeDesiredUpdate(nodeB), '{"secret":"for B"}');
    plane.publish(`${Subjects.nodeInbox(nodeB)}.x.y`, '{"secret":"for B"}');
    plane.publish(Subjects.event('deployment', 'DeploymentCreated'), '{}');
    await plane.flush();
    await sleep(QUIET_MS);
    expect(received).toEqual([]);
  });

  it("never sees agent B's desired state while B fetches it", async () => {
    const everythingA = collect(agentA, Subjects.nodeAll(nodeA));
    await agentA.flush();
    const reply = await agentB.request(Subjects.nodeDesired(nodeB), '{}', { timeout: 5_000 });
    expect(reply.json()).toEqual({ node: nodeB, replicas: [] });
    await sleep(QUIET_MS);
    expect(everythingA).toEqual([]);
  });

  it('has no JetStream: it cannot read or write the event stream', async () => {
    await expect(agentA.jetstreamManager({ timeout: 2_000 })).rejects.toThrow();
    await expectViolation('publish', '$JS.API.INFO');
  });

  it('the control plane can do all it needs: wildcards, queue groups, replies, JetStream', async () => {
    const jsm = await plane.jetstreamManager();
    await jsm.streams.add({ name: EVENTS_STREAM, subjects: [Subjects.allEvents] });
    const js = plane.jetstream();
    const ack = await js.publish(Subjects.event('deployment', 'DeploymentCreated'), '{"n":1}', { msgID: '1' });
    expect(ack.seq).toBe(1);
    expect((await js.publish(Subjects.event('deployment', 'DeploymentCreated'), '{"n":1}', { msgID: '1' })).duplicate).toBe(true);
    const consumer = await js.consumers.get(EVENTS_STREAM);
    expect((await consumer.next({ expires: 5_000 }))?.json()).toEqual({ n: 1 });
    const queued = collect(plane, Subjects.anyNodeHeartbeat);
    plane.subscribe(Subjects.anyNodeHeartbeat, { queue: 'berth-monitor', callback: () => undefined });
    await plane.flush();
    agentB.publish(Subjects.nodeHeartbeat(nodeB), '{}');
    await waitFor(() => queued.length > 0, 5_000, "B's heartbeat");
    plane.publish(Subjects.externalMetric('queue_depth'), '{"value":1}');
    await plane.flush();
  });
});

/** The real node-agent under its own credentials: everything it does stays inside what they allow. */
describe('NATS credentials: a real node-agent works under its restricted user', () => {
  const node = uniqueNode('perm');
  const password = randomBytes(8).toString('hex');
  let nats: ImageConfiguredNats;
  let plane: ControlPlaneSide;
  let agent: ServiceProcess & { stateDir: string };

  beforeAll(async () => {
    buildTestImages();
    nats = await startImageConfiguredNats({ NATS_USER: CONTROL_PLANE.user, NATS_PASSWORD: CONTROL_PLANE.password, NATS_AGENT_USERS: `${node}:${password}` });
    plane = await ControlPlaneSide.connect(node, nats.server.url, { user: CONTROL_PLANE.user, pass: CONTROL_PLANE.password });
    agent = await startAgent(node, { NATS_URL: nats.server.url, NATS_USER: node, NATS_PASSWORD: password, LOG_LEVEL: 'info' });
    await waitFor(() => plane.desiredRequests.length > 0, 45_000, 'the first desired-state request');
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await plane?.close();
    await removeContainersOf(node);
    if (agent) rmSync(agent.stateDir, { recursive: true, force: true });
    await nats?.dispose();
  });

  it('heartbeats, fetches its desired state, runs the replica, reports it (acked) and serves its logs', async () => {
    await waitFor(() => plane.heartbeats.length > 0, 15_000, 'a heartbeat');
    const web = replica({ image: 'berth/http:test', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] });
    plane.add(web);
    const [started] = await plane.waitForReport(web.uid, 'started', 1, 45_000);
    expect(started).toMatchObject({ node, kind: 'started' });
    await waitFor(() => plane.acked.has(started.reportId), 10_000, 'the ack of the report');
    const logs = await plane.logs(node, { replicaUid: web.uid, tailLines: 20 }, undefined, 15_000, createInbox(Subjects.nodeLogsReply(node)));
    expect(logs.chunks.at(-1)?.done).toBe(true);
    expect(logs.lines.join('\n')).toMatch(/listening on :80/);
    plane.remove(web.uid);
    await waitFor(async () => (await containersOf(node)).length === 0, 30_000, 'the replica removed');
    // Had it used any subject outside its own, the server would have said so, and the agent logged it.
    expect(agent.output()).not.toMatch(/PERMISSIONS_VIOLATION|Permissions Violation/i);
    expect(agent.process.exitCode).toBeNull();
  });
});
