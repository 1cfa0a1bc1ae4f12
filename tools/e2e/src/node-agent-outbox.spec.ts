import { rmSync } from 'node:fs';
import { TestNatsServer, type ServiceProcess } from '@berth/testing';
import type { NodeReport } from '@berth/contracts';
import { buildTestImages, ControlPlaneSide, removeContainersOf, replica, startAgent, uniqueNode, waitFor } from './node-agent-control-plane.fixture';

/** Reports made while NATS is down are delivered after it comes back: none lost, none doubled. */
describe('node-agent report outbox across a NATS outage', () => {
  const node = uniqueNode('to');
  let server: TestNatsServer;
  let plane: ControlPlaneSide;
  let agent: ServiceProcess & { stateDir: string };

  beforeAll(async () => {
    buildTestImages();
    server = await TestNatsServer.start();
    plane = await ControlPlaneSide.connect(node, server.url);
    agent = await startAgent(node, { NATS_URL: server.url, RESTART_BACKOFF_INITIAL_MS: '200', RESTART_BACKOFF_MAX_MS: '400', REPORT_TIMEOUT_MS: '1000' });
  });

  afterAll(async () => {
    await agent?.stop();
    await plane?.close();
    await server?.dispose();
    await removeContainersOf(node);
    if (agent) rmSync(agent.stateDir, { recursive: true, force: true });
  });

  it('keeps crash-loop reports through the outage and delivers each fact exactly once', async () => {
    const crashers = [1, 2, 3].map(() => replica({ image: 'berth/crash:test', env: { CRASH_AFTER: '1', EXIT_CODE: '2' } }));
    await waitFor(() => plane.desiredRequests.length > 0, 30_000, 'the agent to ask for its desired state');
    plane.setReplicas(crashers);
    for (const r of crashers) await plane.waitForReport(r.uid, 'exited');

    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const duringOutage = plane.reports.length;
    await server.restart();

    // The crash loops went on during the outage; their reports arrive once NATS is back.
    for (const r of crashers) await plane.waitForReport(r.uid, 'exited', 4, 30_000);
    plane.setReplicas([]);
    for (const r of crashers) await plane.waitForReport(r.uid, 'stopped', 1, 30_000);
    await waitFor(async () => /berth_node_agent_outbox_depth\{[^}]*\} 0\b/.test(await (await fetch(`http://127.0.0.1:${agent.port}/metrics`)).text()), 10_000, 'an empty outbox');
    expect(plane.reports.length).toBeGreaterThan(duringOutage);

    for (const r of crashers) {
      const facts = plane.recorded(r.uid);
      const counts = (kind: NodeReport['kind']) => facts.filter((f) => f.kind === kind).map((f) => f.restartCount);
      // Nothing lost: every attempt's start and exit, in sequence; nothing doubled: one report id per fact.
      const starts = counts('started');
      const exits = counts('exited');
      expect(starts).toEqual(starts.map((_, i) => i));
      expect(exits).toEqual(exits.map((_, i) => i));
      expect(starts.length - exits.length).toBeGreaterThanOrEqual(0);
      expect(starts.length - exits.length).toBeLessThanOrEqual(1);
      expect(counts('stopped')).toHaveLength(1);
      const keys = facts.filter((f) => f.kind !== 'ready' && f.kind !== 'notReady').map((f) => `${f.kind}/${f.containerId}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});
