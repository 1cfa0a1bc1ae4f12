import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { freePort, startCluster, TestCluster, WORKSPACE_ROOT } from '@berth/testing';

jest.setTimeout(420_000);

/** The `berth` bin as users run it (package.json "bin"), from the sources. */
const BERTH = join(WORKSPACE_ROOT, 'tools/bin/berth.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Stream {
  stdout(): string;
  /** Resolves with stdout once `done(stdout)` holds; fails naming `what` (and showing the output) after `timeoutMs`. */
  waitFor(done: (stdout: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Ctrl-C. */
  interrupt(): Promise<Run>;
}

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase: string };
}

function deployment(name: string, options: { image?: string; replicas?: number; pool: 'hollow' | 'docker'; command?: string[] }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
${options.replicas === undefined ? '' : `  replicas: ${options.replicas}\n`}  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 1
      nodeSelector:
        pool: ${options.pool}
      containers:
      - name: ${name}
        image: ${options.image ?? 'nginx:latest'}
        imagePullPolicy: Never
${options.command ? `        command: ${JSON.stringify(options.command)}\n` : ''}        resources:
          requests:
            cpu: 100m
            memory: 32Mi
`;
}

/**
 * The real `berth` CLI (tools/bin/berth.js, a process per command, as users run it) against a
 * real cluster: gateway, scheduler, monitor and autoscaler processes on Postgres and NATS, two
 * hollow node-agents (simulated containers, with stats and logs) and one on the Docker engine
 * for what needs a real container (its logs). Authentication is on: every command uses a token
 * made by `berth admin create-token`, from the config file or BERTH_* variables.
 */
describe('berth CLI against a running cluster', () => {
  let cluster: TestCluster;
  let home: string;
  let work: string;
  let adminToken: string;
  let viewToken: string;
  /** Hollow node-agents host `<NODE_NAME>-0`. */
  let hollowNodes: string[];
  let dockerNode: string;
  const children = new Set<ChildProcess>();

  /** Only what the CLI needs: no BERTH_* of the developer running the tests. */
  const cliEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    BERTH_CLI_FROM_SOURCE: '1',
    ...extra,
  });

  const start = (args: string[], env: Record<string, string> = {}, stdin = ''): { child: ChildProcess; result: Promise<Run>; stdout: () => string } => {
    const child = spawn(process.execPath, [BERTH, ...args], { cwd: work, env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin?.end(stdin);
    const result = new Promise<Run>((resolve) =>
      child.once('close', (code, signal) => {
        children.delete(child);
        resolve({ code, signal, stdout, stderr });
      }),
    );
    return { child, result, stdout: () => stdout };
  };

  const berth = (args: string[], env: Record<string, string> = {}, stdin = ''): Promise<Run> => start(args, env, stdin).result;

  /** A command that must succeed: its stdout. */
  const ok = async (...args: string[]): Promise<string> => {
    const run = await berth(args);
    if (run.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${run.code}:\n${run.stderr}${run.stdout}`);
    return run.stdout;
  };

  const stream = (args: string[]): Stream => {
    const { child, result, stdout } = start(args);
    return {
      stdout,
      waitFor: async (done, what, timeoutMs = 120_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!done(stdout())) {
          if (child.exitCode !== null) throw new Error(`berth ${args.join(' ')} exited ${child.exitCode} before ${what}:\n${(await result).stderr}${stdout()}`);
          if (Date.now() > deadline) throw new Error(`no ${what} from berth ${args.join(' ')} in ${timeoutMs} ms; output so far:\n${stdout()}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return stdout();
      },
      interrupt: async () => {
        child.kill('SIGINT');
        return result;
      },
    };
  };

  /** Repeats a command until its output satisfies `done` (the cluster converges in its own time). */
  const eventually = async (args: string[], done: (stdout: string) => boolean, what: string, timeoutMs = 120_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    let last: Run | undefined;
    while (Date.now() < deadline) {
      last = await berth(args);
      if (last.code === 0 && done(last.stdout)) return last.stdout;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    throw new Error(`${what}: not reached in ${timeoutMs} ms; last \`berth ${args.join(' ')}\` (exit ${last?.code}):\n${last?.stderr}${last?.stdout}`);
  };

  const pods = async (app: string): Promise<PodJson[]> => (JSON.parse(await ok('get', 'pods', '-l', `app=${app}`, '-o', 'json')) as { items: PodJson[] }).items;
  const write = (file: string, text: string): string => {
    writeFileSync(join(work, file), text);
    return file;
  };
  const rolledOut = async (name: string): Promise<void> => {
    expect(await ok('rollout', 'status', `deployment/${name}`, '--timeout', '180s')).toContain(`deployment "${name}" successfully rolled out`);
  };

  beforeAll(async () => {
    execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet']);
    home = mkdtempSync(join(tmpdir(), 'berth-cli-home-'));
    work = mkdtempSync(join(tmpdir(), 'berth-cli-work-'));
    cluster = await startCluster({
      nodes: 3,
      env: { ANONYMOUS: 'false', HEARTBEAT_INTERVAL_MS: '500', STATS_INTERVAL_MS: '1000' },
      nodeEnv: (i): Record<string, string> => (i < 2 ? { RUNTIME: 'hollow', NODE_LABELS: 'pool=hollow' } : { RUNTIME: 'docker', NODE_LABELS: 'pool=docker' }),
    });
    hollowNodes = cluster.nodeNames.slice(0, 2).map((name) => `${name}-0`);
    dockerNode = cluster.nodeNames[2];
    // Tokens the way an operator makes them: `berth admin create-token` on the control-plane host.
    const database = { DATABASE_URL: cluster.env['DATABASE_URL'], DATABASE_SCHEMA: cluster.env['DATABASE_SCHEMA'] };
    const admin = await berth(['admin', 'create-token', '--role', 'admin', '--name', 'ci-admin', '-q'], database);
    const view = await berth(['admin', 'create-token', '--role', 'view', '--name', 'ci-view', '-q'], database);
    expect([admin.code, view.code]).toEqual([0, 0]);
    adminToken = admin.stdout.trim();
    viewToken = view.stdout.trim();
    expect(adminToken).toMatch(/^berth_ci-admin_/);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await cluster?.stop();
    for (const dir of [home, work]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes server and token from the config file, BERTH_SERVER/BERTH_TOKEN over it, flags over both', async () => {
    const anonymous = await berth(['get', 'nodes', '--server', cluster.gatewayUrl]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('Error from server (Unauthorized)');
    expect(anonymous.stderr).toContain('hint: no token is set');

    expect(await ok('config', 'set', 'server', cluster.gatewayUrl)).toBe('Property "server" set.\n');
    expect((await berth(['config', 'set', 'token', '-'], {}, `${adminToken}\n`)).stdout).toBe('Property "token" set.\n');
    const view = await ok('config', 'view');
    expect(view).toContain('token: REDACTED');
    expect(view).not.toContain(adminToken);
    const nodes = await ok('get', 'nodes');
    for (const node of [...hollowNodes, dockerNode]) expect(nodes).toMatch(new RegExp(`^${node}\\s+Ready\\s`, 'm'));

    // Environment over the file: the view token cannot write, and says so.
    const effective = await berth(['config', 'view', '--effective'], { BERTH_TOKEN: viewToken });
    expect(effective.stdout).toContain(`server: ${cluster.gatewayUrl}  # file `);
    expect(effective.stdout).toContain('token: REDACTED  # env BERTH_TOKEN');
    expect(effective.stdout + effective.stderr).not.toContain(viewToken);
    const denied = await berth(['create', 'namespace', 'from-env'], { BERTH_TOKEN: viewToken });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe('Error from server (Forbidden): namespaces is forbidden: User "token:ci-view" cannot create resource "namespaces" in API group "" at the cluster scope\n');
    // A flag over the environment.
    expect((await berth(['create', 'namespace', 'from-flag', '--token', adminToken], { BERTH_TOKEN: viewToken })).stdout).toBe('namespace/from-flag created\n');
    // BERTH_SERVER over the file: a dead address is named in the error.
    const closed = await freePort();
    const refused = await berth(['get', 'pods'], { BERTH_SERVER: `http://127.0.0.1:${closed}` });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The connection to the server 127.0.0.1:${closed} was refused`);
    // A token the server does not know.
    const wrong = await berth(['get', 'pods'], { BERTH_TOKEN: 'berth_nobody_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('hint: the server did not accept the token');
  });

  it('runs a deployment, and `get -w --output-watch-events` shows ADDED then MODIFIED lines as it scales', async () => {
    expect(await ok('apply', '-f', write('web.yaml', deployment('web', { replicas: 2, pool: 'hollow' })))).toBe('deployment.apps/web created\n');
    await rolledOut('web');

    const deployments = stream(['get', 'deployment', 'web', '-w', '--output-watch-events']);
    const podRows = stream(['get', 'pods', '-l', 'app=web', '-w']);
    await deployments.waitFor((out) => /^ADDED\s+web\s+2\/2\s+2\s+2\s/m.test(out), 'ADDED line for web 2/2');
    await podRows.waitFor((out) => out.split('\n').filter((line) => /\s1\/1\s+Running\s/.test(line)).length >= 2, 'two Running pod rows');
    expect(await ok('scale', 'deployment/web', '--replicas', '4')).toBe('deployment.apps/web scaled\n');
    const watched = await deployments.waitFor((out) => /^MODIFIED\s+web\s+4\/4\s+4\s+4\s/m.test(out), 'MODIFIED line for web 4/4');
    const podsWatched = await podRows.waitFor((out) => new Set(out.match(/^web-\S+(?=\s+1\/1\s+Running)/gm) ?? []).size >= 4, 'four Running pods');

    const lines = watched.trim().split('\n');
    expect(lines[0]).toMatch(/^EVENT\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(lines[1]).toMatch(/^ADDED\s+web\s+2\/2/);
    expect(lines.slice(2).every((line) => /^MODIFIED\s+web\s/.test(line))).toBe(true);
    // The new pods go from Pending to Running in the plain watch.
    expect(podsWatched).toMatch(/^web-\S+\s+0\/1\s+(Pending|ContainerCreating)\s/m);
    for (const watch of [deployments, podRows]) {
      const ended = await watch.interrupt();
      expect(ended.code === 130 || ended.signal === 'SIGINT').toBe(true);
    }
  });

  it('prints objects as JSON, YAML, wide tables and names', async () => {
    const json = JSON.parse(await ok('get', 'deployment', 'web', '-o', 'json')) as { kind: string; spec: { replicas: number }; status: { availableReplicas: number } };
    expect(json).toMatchObject({ kind: 'Deployment', spec: { replicas: 4 }, status: { availableReplicas: 4 } });
    const yaml = parseYaml(await ok('get', 'deploy/web', '-o', 'yaml')) as { metadata: { name: string; labels: Record<string, string> } };
    expect(yaml.metadata).toMatchObject({ name: 'web', labels: { app: 'web' } });
    const list = parseYaml(await ok('get', 'pods', '-l', 'app=web', '-o', 'yaml')) as { kind: string; items: PodJson[] };
    expect(list.kind).toBe('List');
    expect(list.items).toHaveLength(4);

    const wide = (await ok('get', 'pods', '-l', 'app=web', '-o', 'wide')).trim().split('\n');
    expect(wide[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE$/);
    expect(wide.slice(1)).toHaveLength(4);
    for (const row of wide.slice(1)) expect(hollowNodes).toContain(row.split(/\s+/).at(-1));
    const nodes = await ok('get', 'nodes', '-o', 'wide');
    expect(nodes).toMatch(new RegExp(`^${hollowNodes[0]}\\s+Ready\\s.*\\shollow://hollow$`, 'm'));
    expect(nodes).toMatch(new RegExp(`^${dockerNode}\\s+Ready\\s.*\\sdocker://\\S+$`, 'm'));
    expect((await ok('get', 'deploy', '-o', 'name')).split('\n')).toContain('deployment.apps/web');
    expect(await ok('get', 'deploy', 'web', '-o', 'wide')).toMatch(/^web\s+4\/4\s+4\s+4\s+\S+\s+web\s+nginx:latest\s+app=web$/m);
  });

  it('describes a deployment and a pod, each with its events in order', async () => {
    const described = await ok('describe', 'deployment', 'web');
    expect(described).toMatch(/^Name:\s+web$/m);
    expect(described).toMatch(/^Replicas:\s+4 desired \| 4 updated \| 4 total \| 4 available \| 0 unavailable$/m);
    expect(described).toMatch(/^ {2}Node-Selectors:\s+pool=hollow$/m);
    const events = described.slice(described.indexOf('Events:'));
    expect(events).toMatch(/Normal\s+ScalingReplicaSet\s+.*Scaled deployment web to 4/);

    const [pod] = await pods('web');
    const text = await ok('describe', 'pod', pod.metadata.name);
    expect(text).toMatch(new RegExp(`^Name:\\s+${pod.metadata.name}$`, 'm'));
    expect(text).toMatch(new RegExp(`^Node:\\s+${pod.spec.nodeName}/`, 'm'));
    expect(text).toMatch(/^Status:\s+Running$/m);
    const podEvents = text.slice(text.indexOf('Events:'));
    const scheduled = podEvents.search(/Normal\s+Scheduled\s/);
    const started = podEvents.search(/Normal\s+Started\s/);
    expect(scheduled).toBeGreaterThan(0);
    expect(started).toBeGreaterThan(scheduled);
    expect(podEvents).toContain(`Successfully assigned default/${pod.metadata.name} to ${pod.spec.nodeName}`);
  });

  it('prints a real container\'s logs, and `logs -f` shows new lines as they are written', async () => {
    const ticker = deployment('ticker', { replicas: 1, pool: 'docker', image: 'berth/busybox:test', command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done'] });
    expect(await ok('apply', '-f', write('ticker.yaml', ticker))).toBe('deployment.apps/ticker created\n');
    await rolledOut('ticker');
    const [pod] = await pods('ticker');
    expect(pod.spec.nodeName).toBe(dockerNode);

    const tail = await eventually(['logs', 'deployment/ticker', '--tail', '2'], (out) => out.split('\n').filter(Boolean).length === 2, 'two lines of ticker logs');
    expect(tail).toMatch(/^tick \d+\ntick \d+\n$/);
    const follow = stream(['logs', '-f', `pod/${pod.metadata.name}`, '--tail', '1']);
    const first = Number(/tick (\d+)/.exec(await follow.waitFor((out) => /tick \d+\n/.test(out), 'the first followed line'))?.[1]);
    const later = await follow.waitFor((out) => (out.match(/tick \d+\n/g) ?? []).length >= 4, 'three more lines as the container writes them', 60_000);
    const ticks = (later.match(/tick (\d+)/g) ?? []).map((line) => Number(line.slice(5)));
    expect(ticks.slice(0, 4)).toEqual([first, first + 1, first + 2, first + 3]);
    const ended = await follow.interrupt();
    expect(ended.code === 130 || ended.signal === 'SIGINT').toBe(true);
  });

  it('shows node and pod usage with top: simulated stats from the hollow nodes, real ones from Docker', async () => {
    const nodes = await eventually(['top', 'nodes'], (out) => [...hollowNodes, dockerNode].every((node) => new RegExp(`^${node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%$`, 'm').test(out)), 'usage of every node');
    expect(nodes.split('\n')[0]).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)$/);
    const web = await eventually(['top', 'pods', '-l', 'app=web'], (out) => (out.match(/^web-\S+\s+\d+m\s+\d+Mi$/gm) ?? []).length === 4, 'usage of the four web pods');
    expect(web).not.toContain('ticker');
    const [ticker] = await pods('ticker');
    const one = await eventually(['top', 'pod', ticker.metadata.name], (out) => out.includes(ticker.metadata.name), 'usage of the ticker pod');
    expect(one).toMatch(new RegExp(`^${ticker.metadata.name}\\s+\\d+m\\s+\\d+Mi$`, 'm'));
    const sorted = await ok('top', 'pods', '-A', '--sort-by', 'cpu');
    expect(sorted.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)$/);
    const missing = await berth(['top', 'pod', 'nope']);
    expect(missing).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): pods "nope" not found\n' });
  });

  it('cordons, uncordons and drains a node: drain moves its replicas to the other node', async () => {
    const [from, to] = hollowNodes;
    expect(await ok('cordon', from)).toBe(`node/${from} cordoned\n`);
    expect(await ok('cordon', from)).toBe(`node/${from} already cordoned\n`);
    expect(await ok('get', 'nodes')).toMatch(new RegExp(`^${from}\\s+Ready,SchedulingDisabled\\s`, 'm'));
    expect(await ok('uncordon', from)).toBe(`node/${from} uncordoned\n`);
    expect(await ok('get', 'nodes')).toMatch(new RegExp(`^${from}\\s+Ready\\s`, 'm'));

    // Pods still terminating from an earlier step are not drain's to evict (kubectl skips them too).
    await rolledOut('web');
    const before = await pods('web');
    const onFrom = before.filter((p) => p.spec.nodeName === from && !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    expect(onFrom.length).toBeGreaterThan(0); // the default spread put replicas on both nodes
    const drained = await ok('drain', from, '--timeout', '180s');
    expect(drained.startsWith(`node/${from} cordoned\n`)).toBe(true);
    for (const name of onFrom) {
      expect(drained).toContain(`evicting pod default/${name}\n`);
      expect(drained).toContain(`pod/${name} evicted\n`);
    }
    expect(drained.endsWith(`node/${from} drained\n`)).toBe(true);
    await rolledOut('web');
    const after = await pods('web');
    expect(after.filter((p) => p.status.phase === 'Running')).toHaveLength(4);
    expect(after.every((p) => p.spec.nodeName === to)).toBe(true);
    expect(await ok('uncordon', from)).toBe(`node/${from} uncordoned\n`);
  });

  it('lists the rollout history, rolls back with undo, and holds a change while paused until resume', async () => {
    const images = async (): Promise<string[]> => [...new Set((await pods('web')).filter((p) => p.status.phase === 'Running').map((p) => p.spec.containers[0].image))];
    // Without spec.replicas, applying keeps the scale (4) made by `berth scale`.
    expect(await ok('apply', '-f', write('web-v2.yaml', deployment('web', { pool: 'hollow', image: 'berth/http:test' })))).toBe('deployment.apps/web configured\n');
    await rolledOut('web');
    expect(await images()).toEqual(['berth/http:test']);
    expect(await pods('web')).toHaveLength(4);
    const history = await ok('rollout', 'history', 'deployment/web');
    expect(history).toMatch(/^deployment\.apps\/web\nREVISION\s+IMAGES\s+CHANGE-CAUSE\n1\s+nginx:latest\s+<none>\n2\s+berth\/http:test\s+<none>\n$/);
    expect(await ok('rollout', 'history', 'deployment/web', '--revision', '2')).toMatch(/with revision #2\nPod Template:\n\s+Images:\s+berth\/http:test\n/);

    expect(await ok('rollout', 'undo', 'deployment/web')).toBe('deployment.apps/web rolled back\n');
    await rolledOut('web');
    expect(await images()).toEqual(['nginx:latest']);
    expect(await ok('rollout', 'history', 'deployment/web')).toMatch(/\n2\s+berth\/http:test\s+<none>\n3\s+nginx:latest\s+<none>\n$/);

    expect(await ok('rollout', 'pause', 'deployment/web')).toBe('deployment.apps/web paused\n');
    const again = await berth(['rollout', 'pause', 'deployment/web']);
    expect(again).toMatchObject({ code: 1, stderr: 'error: deployments.apps "web" is already paused\n' });
    // A change applied while paused is recorded but not rolled out (and the apply does not resume it).
    expect(await ok('apply', '-f', 'web-v2.yaml')).toBe('deployment.apps/web configured\n');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((JSON.parse(await ok('get', 'deploy', 'web', '-o', 'json')) as { spec: { paused: boolean } }).spec.paused).toBe(true);
    expect(await images()).toEqual(['nginx:latest']);
    expect(await ok('rollout', 'resume', 'deployment/web')).toBe('deployment.apps/web resumed\n');
    await rolledOut('web');
    expect(await images()).toEqual(['berth/http:test']);
    expect(await berth(['rollout', 'resume', 'deployment/web'])).toMatchObject({ code: 1, stderr: 'error: deployments.apps "web" is not paused\n' });

    expect(await ok('rollout', 'undo', 'deployment/web', '--to-revision', '3')).toBe('deployment.apps/web rolled back\n');
    await rolledOut('web');
    expect(await images()).toEqual(['nginx:latest']);
  });

  it('answers a view-only token with a clear 403 on every write, and changes nothing', async () => {
    const view = { BERTH_TOKEN: viewToken };
    expect((await berth(['get', 'deployments'], view)).stdout).toMatch(/^web\s+4\/4\s/m);
    const writes: [string[], string][] = [
      [['scale', 'deployment/web', '--replicas', '1'], 'deployments.apps "web" is forbidden: User "token:ci-view" cannot patch resource "deployments/scale" in API group "apps" in the namespace "default"'],
      [['delete', 'deployment', 'web'], 'deployments.apps "web" is forbidden: User "token:ci-view" cannot delete resource "deployments" in API group "apps" in the namespace "default"'],
      [['apply', '-f', 'web.yaml'], 'error when applying "web.yaml": deployments.apps "web" is forbidden: User "token:ci-view" cannot patch resource "deployments" in API group "apps" in the namespace "default"'],
      [['rollout', 'undo', 'deployment/web'], 'deployments.apps "web" is forbidden: User "token:ci-view" cannot create resource "deployments/rollback" in API group "apps" in the namespace "default"'],
      [['cordon', dockerNode], `nodes "${dockerNode}" is forbidden: User "token:ci-view" cannot patch resource "nodes" in API group "" at the cluster scope`],
      [['drain', dockerNode], `nodes "${dockerNode}" is forbidden: User "token:ci-view" cannot create resource "nodes/drain" in API group "" at the cluster scope`],
    ];
    for (const [args, message] of writes) {
      const run = await berth(args, view);
      expect([args.join(' '), run.code, run.stderr]).toEqual([args.join(' '), 1, `Error from server (Forbidden): ${message}\n`]);
    }
    // Logs are not for viewers either.
    const logs = await berth(['logs', 'deployment/ticker'], view);
    expect(logs.stderr).toMatch(/^Error from server \(Forbidden\): pods "ticker-\S+" is forbidden: User "token:ci-view" cannot get resource "pods\/log"/);
    expect(await ok('get', 'deploy', 'web')).toMatch(/^web\s+4\/4\s+4\s+4\s/m);
    expect(await ok('get', 'nodes')).not.toContain('SchedulingDisabled');
  });

  it('deletes by name, by file and by selector; a second delete is NotFound unless --ignore-not-found', async () => {
    expect(await ok('delete', 'deployment', 'ticker')).toBe('deployment.apps "ticker" deleted\n');
    const twice = await berth(['delete', 'deployment', 'ticker']);
    expect(twice).toMatchObject({ code: 1, stdout: '', stderr: 'Error from server (NotFound): deployments.apps "ticker" not found\n' });
    expect(await berth(['delete', 'deployment', 'ticker', '--ignore-not-found'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    // Its container goes from the Docker engine too.
    await eventually(['get', 'pods', '-l', 'app=ticker', '-o', 'name'], (out) => out === '', 'the ticker pod gone');
    const deadline = Date.now() + 60_000;
    while ((await cluster.containers()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await cluster.containers()).toEqual([]);

    expect(await ok('delete', '-f', 'web.yaml')).toBe('deployment.apps "web" deleted\n');
    expect(await ok('create', 'namespace', 'scratch')).toBe('namespace/scratch created\n');
    const docs = [deployment('a', { replicas: 1, pool: 'hollow' }), deployment('b', { replicas: 1, pool: 'hollow' })].join('---\n').replace(/^( *)app: (a|b)$/gm, '$1app: $2\n$1tier: canary');
    expect(parseAllDocuments(docs)).toHaveLength(2);
    expect(await ok('apply', '-n', 'scratch', '-f', write('canary.yaml', docs))).toBe('deployment.apps/a created\ndeployment.apps/b created\n');
    expect(await ok('delete', 'deployments', '-n', 'scratch', '-l', 'tier=canary')).toBe('deployment.apps "a" deleted\ndeployment.apps "b" deleted\n');
    await eventually(['get', 'pods', '-A', '-o', 'name'], (out) => out === '', 'no pods left anywhere');
    const none = await berth(['get', 'deployments', '-A']);
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'No resources found\n' });
  });
});
