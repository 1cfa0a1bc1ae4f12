import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeReport } from '@berth/contracts';
import type { ServiceProcess } from '@berth/testing';
import { buildTestImages, containersOf, ControlPlaneSide, docker, removeContainersOf, replica, startAgent, uniqueNode, waitFor } from './node-agent-control-plane.fixture';

/** The journal's unacked reports, read the way the agent reads it: adds minus acks. */
function journalPending(path: string): NodeReport[] {
  const pending = new Map<string, NodeReport>();
  for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as { add?: NodeReport; ack?: string };
    if (entry.add) pending.set(entry.add.reportId, entry.add);
    if (entry.ack) pending.delete(entry.ack);
  }
  return [...pending.values()];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An agent that crashes and comes back adopts its containers, and loses none of its reports. */
describe('node-agent restart', () => {
  const node = uniqueNode('ta');
  let plane: ControlPlaneSide;
  const agents: (ServiceProcess & { stateDir: string })[] = [];

  beforeAll(async () => {
    buildTestImages();
    plane = await ControlPlaneSide.connect(node);
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await plane?.close();
    await removeContainersOf(node);
    if (agents[0]) rmSync(agents[0].stateDir, { recursive: true, force: true });
  });

  it('adopts its containers without duplicates, removes only what is not desired (after the desired set came), and resends unacked reports', async () => {
    const first = await startAgent(node);
    agents.push(first);
    const keep = replica({ image: 'berth/http:test', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    const gone = replica({ image: 'berth/http:test' }, { terminationGracePeriodSeconds: 1 });
    plane.add(keep, gone);
    const [keepStarted] = await plane.waitForReport(keep.uid, 'started');
    await plane.waitForReport(keep.uid, 'ready');
    const [goneStarted] = await plane.waitForReport(gone.uid, 'started');
    const firstBoot = plane.desiredRequests[0].bootId;

    // Reports the control plane receives but does not ack yet, then the agent crashes.
    plane.ackReports = false;
    const late = replica({ image: 'berth/busybox:test', command: ['sleep', '3600'] });
    plane.add(late);
    await plane.waitForReport(late.uid, 'started');
    await sleep(500);
    await first.kill();
    // What the crashed agent left in its journal: reports created, not acked (late's started, and its ready queued behind it).
    const unacked = journalPending(join(first.stateDir, node, 'outbox.jsonl'));
    expect(unacked.map((r) => `${r.replicaUid}/${r.kind}`)).toEqual(expect.arrayContaining([`${late.uid}/started`, `${late.uid}/ready`]));

    // While it is down the control plane drops `gone` and, for a while, does not answer.
    plane.answerDesired = false;
    plane.remove(gone.uid);
    plane.ackReports = true;
    const requestsBefore = plane.desiredRequests.length;
    const second = await startAgent(node, { STATE_DIR: first.stateDir });
    agents.push(second);
    await waitFor(() => plane.desiredRequests.length > requestsBefore, 30_000, 'the restarted agent to ask for its desired state');
    expect(plane.desiredRequests.at(-1)?.bootId).not.toBe(firstBoot);

    // The journal: every report the crashed agent had not got acked is sent again, with its id.
    await waitFor(() => unacked.every((r) => plane.acked.has(r.reportId)), 20_000, 'the unacked reports to be resent');

    // No desired set yet: nothing is removed.
    await sleep(1_500);
    expect((await docker.getContainer(goneStarted.containerId as string).inspect()).State.Running).toBe(true);

    plane.answerDesired = true;
    const [stopped] = await plane.waitForReport(gone.uid, 'stopped');
    expect(stopped.containerId).toBe(goneStarted.containerId);
    await waitFor(async () => (await containersOf(node)).every((c) => c.Labels['berth.replica'] !== gone.uid), 10_000, 'the orphan to be removed');

    // Adopted, not recreated: the same containers, one each, and the same started fact (same report id).
    const containers = await containersOf(node);
    expect(containers.filter((c) => c.Labels['berth.replica'] === keep.uid).map((c) => c.Id)).toEqual([keepStarted.containerId]);
    expect(containers.filter((c) => c.Labels['berth.replica'] === late.uid)).toHaveLength(1);
    await sleep(1_000);
    expect(plane.recorded(keep.uid, 'started')).toHaveLength(1);
    expect(plane.recorded(late.uid, 'started')).toHaveLength(1);
    expect(new Set(plane.reports.filter((r) => r.replicaUid === keep.uid && r.kind === 'started').map((r) => r.containerId))).toEqual(new Set([keepStarted.containerId]));
    expect((await fetch(`http://127.0.0.1:${keepStarted.hostPorts?.['80']}/`)).status).toBe(200);
  });
});
