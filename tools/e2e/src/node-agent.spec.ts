import { createServer, type Server } from 'node:net';
import { cpus } from 'node:os';
import { rmSync } from 'node:fs';
import type { ServiceProcess } from '@berth/testing';
import {
  buildTestImages,
  containersOf,
  ControlPlaneSide,
  docker,
  removeContainersOf,
  replica,
  startAgent,
  uniqueNode,
  waitFor,
} from './node-agent-control-plane.fixture';

const MiB = 1024 * 1024;
const BACKOFF_MS = 300;

/**
 * The node-agent as a real process against the real Docker engine and NATS; the test plays the
 * control plane (desired state, acks) over NATS.
 */
describe('node-agent on Docker', () => {
  const node = uniqueNode();
  let plane: ControlPlaneSide;
  let agent: ServiceProcess & { stateDir: string };

  beforeAll(async () => {
    buildTestImages();
    plane = await ControlPlaneSide.connect(node);
    agent = await startAgent(node, {
      NODE_LABELS: 'zone=e2e,disk=ssd',
      NODE_TAINTS: 'dedicated=e2e:NoSchedule',
      RESERVED_CPU_MILLI: '100',
      RESERVED_MEMORY_BYTES: '64Mi',
      RESTART_BACKOFF_INITIAL_MS: String(BACKOFF_MS),
      RESTART_BACKOFF_MAX_MS: '5000',
      LOGS_FOLLOW_CHECK_MS: '500',
      // SHOW_AGENT_OUTPUT=1: debug logs of the agent, printed after the tests.
      ...(process.env['SHOW_AGENT_OUTPUT'] ? { LOG_LEVEL: 'debug' } : {}),
    });
    await waitFor(() => plane.desiredRequests.length > 0, 30_000, 'the first desired-state request');
  });

  afterAll(async () => {
    await agent?.stop();
    if (process.env['SHOW_AGENT_OUTPUT']) process.stdout.write(agent.output());
    await plane?.close();
    await removeContainersOf(node);
    if (agent) rmSync(agent.stateDir, { recursive: true, force: true });
  });

  afterEach(() => {
    if (agent.process.exitCode !== null) throw new Error(`agent died:\n${agent.output().slice(-3000)}`);
  });

  it('registers: heartbeats with labels, taints, capacity from docker info, allocatable and a bootId', async () => {
    const [first, later] = await waitFor(() => (plane.heartbeats.length >= 2 ? plane.heartbeats.slice(-2) : undefined));
    expect(first).toMatchObject({
      node,
      address: '127.0.0.1',
      labels: { zone: 'e2e', disk: 'ssd', 'kubernetes.io/hostname': node, 'kubernetes.io/os': 'linux' },
      taints: [{ key: 'dedicated', value: 'e2e', effect: 'NoSchedule' }],
      info: { runtime: 'docker' },
    });
    expect(first.capacity.cpuMilli).toBe(cpus().length * 1000);
    expect(first.capacity.memoryBytes).toBeGreaterThan(256 * MiB);
    expect(first.allocatable).toEqual({ cpuMilli: first.capacity.cpuMilli - 100, memoryBytes: first.capacity.memoryBytes - 64 * MiB });
    expect(first.info['dockerVersion']).toMatch(/\d+\.\d+/);
    expect(later.seq).toBeGreaterThan(first.seq);
    expect(later.bootId).toBe(first.bootId);
    expect(plane.desiredRequests[0]).toEqual({ node, bootId: first.bootId });
  });

  it('creates a desired replica: running, reachable on its published port, probed ready, with labels and limits', async () => {
    const web = replica({
      image: 'berth/http:test',
      ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
      env: { GREETING: 'hi' },
      limits: { cpuMilli: 500, memoryBytes: 64 * MiB },
      livenessProbe: { exec: { command: ['sh', '-c', 'true'] }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 2, successThreshold: 1, failureThreshold: 1 },
      readinessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    });
    plane.add(web);
    const [started] = await plane.waitForReport(web.uid, 'started');
    expect(started).toMatchObject({ node, kind: 'started', hostIp: '127.0.0.1', restartCount: 0 });
    const hostPort = started.hostPorts?.['80'];
    expect(hostPort).toBeGreaterThanOrEqual(20000);
    const response = await fetch(`http://127.0.0.1:${hostPort}/`);
    expect(response.status).toBe(200);
    await plane.waitForReport(web.uid, 'ready');

    const inspect = await docker.getContainer(started.containerId as string).inspect();
    expect(inspect.State.Running).toBe(true);
    expect(inspect.Config.Labels).toMatchObject({ 'berth.replica': web.uid, 'berth.node': node, 'berth.deployment': 'web', 'berth.namespace': 'default', 'berth.grace-period': '5' });
    expect(inspect.HostConfig.NanoCpus).toBe(500_000_000);
    expect(inspect.HostConfig.Memory).toBe(64 * MiB);
    expect(inspect.Config.Env).toContain('GREETING=hi');

    // Stats and logs of a running replica.
    const stats = await waitFor(() => plane.stats.flatMap((s) => s.replicas).find((r) => r.uid === web.uid), 15_000, 'stats of the replica');
    expect(stats.memoryBytes).toBeGreaterThan(0);
    expect(stats.memoryLimitBytes).toBe(64 * MiB);
    const logs = await plane.logs(node, { replicaUid: web.uid, tailLines: 50 });
    expect(logs.chunks.at(-1)?.done).toBe(true);
    expect(logs.lines.join('\n')).toMatch(/listening on :80[\s\S]*response:200/);

    // Nothing changes on its own: no restart, one container.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(plane.recorded(web.uid, 'exited')).toEqual([]);
    expect((await containersOf(node)).filter((c) => c.Labels['berth.replica'] === web.uid)).toHaveLength(1);
  });

  it('reports ready only once an HTTP readiness probe passes (slow-ready image)', async () => {
    const slow = replica({
      image: 'berth/slow-ready:test',
      env: { READY_AFTER: '2' },
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/healthz', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 },
    });
    plane.add(slow);
    const [started] = await plane.waitForReport(slow.uid, 'started');
    const [ready] = await plane.waitForReport(slow.uid, 'ready');
    expect(ready.at - started.at).toBeGreaterThanOrEqual(1_500);
    expect(plane.recorded(slow.uid, 'notReady')).toEqual([]);
  });

  it('restarts a container whose liveness probe fails, as a new attempt, with growing backoff', async () => {
    const sick = replica({
      image: 'berth/http:test',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      livenessProbe: { httpGet: { path: '/nope', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 },
    });
    plane.add(sick);
    const exits = await plane.waitForReport(sick.uid, 'exited', 3, 30_000);
    expect(exits.slice(0, 3).map((e) => e.restartCount)).toEqual([0, 1, 2]);
    for (const exit of exits) expect(exit.message).toMatch(/^Liveness probe failed: /);
    expect(exits.some((exit) => exit.message?.includes('HTTP probe failed with statuscode: 404'))).toBe(true);
    expect(plane.recorded(sick.uid, 'notReady')[0]).toMatchObject({ reason: 'LivenessProbeFailed' });
    const starts = await plane.waitForReport(sick.uid, 'started', 3);
    expect(starts.slice(0, 3).map((s) => s.restartCount)).toEqual([0, 1, 2]);
    expect(new Set(starts.map((s) => s.containerId)).size).toBe(starts.length);
    // Each restart waits its backoff: 300 ms, then 600 ms.
    expect(starts[1].at - exits[0].at).toBeGreaterThanOrEqual(BACKOFF_MS);
    expect(starts[2].at - exits[1].at).toBeGreaterThanOrEqual(2 * BACKOFF_MS);
    plane.remove(sick.uid);
  });

  it('restarts a crashing container (Always) with its exit code and a growing restart count; OnFailure leaves a clean exit be', async () => {
    const crash = replica({ image: 'berth/crash:test', env: { CRASH_AFTER: '0', EXIT_CODE: '3' } });
    const job = replica({ image: 'berth/crash:test', env: { CRASH_AFTER: '0', EXIT_CODE: '0' } }, { restartPolicy: 'OnFailure' });
    plane.add(crash, job);
    const exits = await plane.waitForReport(crash.uid, 'exited', 3, 30_000);
    expect(exits.slice(0, 3).map((e) => [e.exitCode, e.reason, e.restartCount])).toEqual([
      [3, 'Error', 0],
      [3, 'Error', 1],
      [3, 'Error', 2],
    ]);
    const [done] = await plane.waitForReport(job.uid, 'exited');
    expect(done).toMatchObject({ exitCode: 0, reason: 'Completed', restartCount: 0 });
    expect(plane.recorded(job.uid, 'started')).toHaveLength(1);
    // At most the dead attempt and its successor exist: older attempts are removed.
    expect((await containersOf(node)).filter((c) => c.Labels['berth.replica'] === crash.uid).length).toBeLessThanOrEqual(2);
    plane.remove(crash.uid, job.uid);
  });

  it('reports OOMKilled when a container exceeds its memory limit', async () => {
    const hog = replica({ image: 'berth/memhog:test', env: { MEMHOG_MB: '64' }, limits: { memoryBytes: 16 * MiB } }, { restartPolicy: 'Never' });
    plane.add(hog);
    const [exit] = await plane.waitForReport(hog.uid, 'exited', 1, 30_000);
    expect(exit).toMatchObject({ reason: 'OOMKilled', exitCode: 137, restartCount: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(plane.recorded(hog.uid, 'started')).toHaveLength(1);
    plane.remove(hog.uid);
  });

  it('reports clear failures (ErrImageNeverPull, InvalidImageName, HostPortsUnavailable, RunContainerError) once each, and keeps everything else running', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as { port: number }).port;
    try {
      const neverPull = replica({ image: 'berth/not-here:never', imagePullPolicy: 'Never' });
      const invalid = replica({ image: 'Bad Image!!' });
      const portTaken = replica({ image: 'berth/http:test', ports: [{ containerPort: 80, protocol: 'TCP', hostPort: takenPort }] });
      const noCommand = replica({ image: 'berth/busybox:test', command: ['/no/such/binary'] });
      const healthy = replica({ image: 'berth/http:test', ports: [{ containerPort: 80, protocol: 'TCP' }] });
      const before = plane.recorded(undefined, 'started').length;
      plane.add(neverPull, invalid, portTaken, noCommand, healthy);

      expect((await plane.waitForReport(neverPull.uid, 'failed'))[0]).toMatchObject({ reason: 'ErrImageNeverPull', message: expect.stringContaining('berth/not-here:never') });
      expect((await plane.waitForReport(invalid.uid, 'failed'))[0]).toMatchObject({ reason: 'InvalidImageName', message: expect.stringContaining('Bad Image!!') });
      expect((await plane.waitForReport(portTaken.uid, 'failed'))[0]).toMatchObject({ reason: 'HostPortsUnavailable', message: expect.stringContaining(String(takenPort)) });
      expect((await plane.waitForReport(noCommand.uid, 'failed'))[0]).toMatchObject({ reason: 'RunContainerError', message: expect.stringMatching(/no such file|not found/i) });
      const [started] = await plane.waitForReport(healthy.uid, 'started');
      expect((await fetch(`http://127.0.0.1:${started.hostPorts?.['80']}/`)).status).toBe(200);

      // Retries go on with backoff, but the same failure is reported once.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      for (const r of [neverPull, invalid, portTaken, noCommand]) {
        expect(plane.recorded(r.uid, 'failed')).toHaveLength(1);
        expect(plane.recorded(r.uid, 'started')).toHaveLength(0);
      }
      expect(plane.recorded(undefined, 'started').length).toBeGreaterThanOrEqual(before + 1);
      plane.remove(neverPull.uid, invalid.uid, portTaken.uid, noCommand.uid, healthy.uid);
    } finally {
      taken.close();
    }
  });

  it('stops a removed replica gracefully: SIGTERM, the grace period, then SIGKILL; then removes it and reports stopped', async () => {
    const stubborn = replica({ image: 'berth/busybox:test', command: ['sleep', '3600'] }, { terminationGracePeriodSeconds: 2 });
    const polite = replica({ image: 'berth/http:test' }, { terminationGracePeriodSeconds: 30 });
    plane.add(stubborn, polite);
    await plane.waitForReport(stubborn.uid, 'started');
    await plane.waitForReport(polite.uid, 'started');
    const removedAt = Date.now();
    plane.remove(stubborn.uid, polite.uid);
    const [politeStopped] = await plane.waitForReport(polite.uid, 'stopped');
    const [stubbornStopped] = await plane.waitForReport(stubborn.uid, 'stopped');
    // sleep as PID 1 ignores SIGTERM: it takes the whole grace period. httpd leaves at once.
    expect(stubbornStopped.at - removedAt).toBeGreaterThanOrEqual(2_000);
    expect(stubbornStopped.at - removedAt).toBeLessThan(8_000);
    expect(politeStopped.at - removedAt).toBeLessThan(3_000);
    expect(stubbornStopped.exitCode).toBe(137);
    const left = (await containersOf(node)).filter((c) => [stubborn.uid, polite.uid].includes(c.Labels['berth.replica']));
    expect(left).toEqual([]);
  });

  it('follows logs as they are written, and stops streaming once the requester stops listening', async () => {
    const ticker = replica({ image: 'berth/busybox:test', command: ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done'] });
    plane.add(ticker);
    await plane.waitForReport(ticker.uid, 'started');
    const inbox = `_INBOX.follow.${ticker.uid}`;
    const followed = await plane.logs(node, { replicaUid: ticker.uid, follow: true, tailLines: 0 }, (lines) => lines.length >= 5, 10_000, inbox);
    expect(followed.lines.length).toBeGreaterThanOrEqual(5);
    expect(followed.lines.every((line) => /^tick \d+$/.test(line))).toBe(true);
    const numbers = followed.lines.map((line) => Number(line.split(' ')[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));

    // The requester has unsubscribed: within a check interval the agent stops sending to that inbox.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const late = plane.nats.subscribe(inbox);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    late.unsubscribe();
    expect(late.getReceived()).toBe(0);

    const limited = await plane.logs(node, { replicaUid: ticker.uid, limitBytes: 30 });
    expect(limited.chunks.at(-1)?.done).toBe(true);
    expect(limited.lines.join('\n').length).toBeLessThanOrEqual(30);
    expect((await plane.logs(node, { replicaUid: 'nobody' })).chunks[0]).toMatchObject({ done: true, error: expect.stringContaining('no container') });
    plane.remove(ticker.uid);
  });

  it('exposes its metrics', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${agent.port}/metrics`)).text();
    for (const name of [
      'berth_node_agent_reconcile_duration_seconds_count',
      'berth_node_agent_containers{state="running"',
      'berth_node_agent_container_restarts_total{reason="Error"',
      'berth_node_agent_probe_failures_total{probe="liveness"',
      'berth_node_agent_outbox_depth',
      'berth_node_agent_report_latency_seconds_count',
    ]) {
      expect(metrics).toContain(name);
    }
  });
});
