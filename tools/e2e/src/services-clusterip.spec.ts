import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER_PORT_RANGE } from '@berth/contracts';
import { startCluster, TestCluster, waitForState, WORKSPACE_ROOT } from '@berth/testing';

const run = promisify(execFile);
jest.setTimeout(300_000);

type Obj = { metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, unknown>; status?: Record<string, unknown> };
type Port = { name?: string; port: number; clusterPort: number };

const deployment = (name: string, replicas: number, container: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name, imagePullPolicy: 'Never', ...container }] } },
  },
});

const service = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });

/**
 * The client: prints its service variables once, then asks the web Service (and `late`, when it has
 * its variables) through them. (`timeout`, not `wget -T`: this busybox's wget crashes on -T.)
 */
const CLIENT_SCRIPT = [
  `env | grep -E '^(WEB|LATE|ELSEWHERE)_' | sort | sed 's/^/env: /'`,
  'while true; do',
  '  if out=$(timeout 5 wget -q -O - "http://$WEB_SERVICE_HOST:$WEB_SERVICE_PORT/" 2>&1); then echo "web: $out"; else echo "web failed: $out"; fi',
  '  if [ -n "$LATE_SERVICE_HOST" ] && out=$(timeout 5 wget -q -O - "http://$LATE_SERVICE_HOST:$LATE_SERVICE_PORT_ALT/" 2>&1); then echo "late: $out"; fi',
  '  sleep 0.2',
  'done',
].join('\n');

/**
 * ClusterIP Services reached from replicas, the way a user does it: the real gateway, scheduler,
 * monitor and two node-agents on the real Docker engine, each node's replicas on a Docker network
 * of its own. A busybox client Deployment reaches a ClusterIP Service of three httpd replicas
 * through the Kubernetes-style variables the agent gave it, pointing at its node's proxy.
 */
describe('ClusterIP services from replicas (real Docker)', () => {
  let cluster: TestCluster;
  const networks = [0, 1].map((i) => `berth-e2e-${randomBytes(3).toString('hex')}-${i}`);
  const gateways: string[] = [];

  const api = async <T = Obj,>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }> => {
    const response = await fetch(`${cluster.gatewayUrl}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } } : {}),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed as T, text };
  };
  const create = async (path: string, body: unknown): Promise<Obj> => {
    const answer = await api('POST', path, body);
    if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${answer.text}`);
    return answer.body;
  };
  const until = async <T,>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const podsOf = async (app: string): Promise<Obj[]> => (await api<{ items: Obj[] }>('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).body.items;
  const logsOf = async (pod: string): Promise<string> => (await api('GET', `/api/v1/namespaces/default/pods/${pod}/log`)).text;
  const envOf = (logs: string): Record<string, string> =>
    Object.fromEntries(
      logs
        .split('\n')
        .filter((line) => line.startsWith('env: '))
        .map((line) => {
          const [key, ...value] = line.slice('env: '.length).split('=');
          return [key, value.join('=')];
        }),
    );
  const nodeIndex = (pod: Obj): number => cluster.nodeNames.indexOf(String(pod.spec['nodeName']));

  beforeAll(async () => {
    execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet']);
    for (const network of networks) {
      await run('docker', ['network', 'create', '--label', 'berth.e2e=services-clusterip', network]);
      const { stdout } = await run('docker', ['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Gateway}}{{end}}', network]);
      gateways.push(stdout.trim());
    }
    cluster = await startCluster({
      nodes: 2,
      services: ['api-gateway', 'scheduler', 'monitor'],
      env: { HEARTBEAT_INTERVAL_MS: '500' },
      nodeEnv: (i) => ({ CONTAINER_NETWORK: networks[i] }),
    });
    await waitForState('2 ready nodes', (s) => cluster.nodeNames.every((n) => s.nodes.get(n)?.ready), cluster.db.store, 90_000);
  });
  afterAll(async () => {
    await cluster?.stop();
    for (const network of networks) await run('docker', ['network', 'rm', network]).catch(() => undefined);
  });

  it('gives a client replica its services variables and reaches every replica of a ClusterIP Service through them; a later service is not in its env', async () => {
    const web = await create('/api/v1/namespaces/default/services', service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }));
    expect(web.spec['type']).toBe('ClusterIP');
    const [webPort] = web.spec['ports'] as Port[];
    expect(webPort.clusterPort).toBeGreaterThanOrEqual(CLUSTER_PORT_RANGE.min);
    expect(webPort.clusterPort).toBeLessThanOrEqual(CLUSTER_PORT_RANGE.max);
    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    await create('/api/v1/namespaces/other/services', service('elsewhere', { ports: [{ port: 80 }] }));
    await create(
      '/apis/apps/v1/namespaces/default/deployments',
      deployment('web', 3, {
        image: 'berth/http:test',
        ports: [{ name: 'http', containerPort: 80 }],
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1 },
      }),
    );
    const webPods = await until('3 ready web replicas', async () => {
      const pods = await podsOf('web');
      const ready = pods.filter((p) => (p.status?.['conditions'] as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 3 ? ready : undefined;
    });
    const webNames = new Set(webPods.map((p) => p.metadata.name));

    await create('/apis/apps/v1/namespaces/default/deployments', deployment('client', 1, { image: 'berth/busybox:test', command: ['sh', '-c', CLIENT_SCRIPT] }));
    const [client] = await until('the client replica running', async () => {
      const pods = (await podsOf('client')).filter((p) => p.status?.['phase'] === 'Running');
      return pods.length === 1 ? pods : undefined;
    });
    // Every web replica answers the client, through the proxy of the client's own node.
    const served = await until('answers from all three web replicas', async () => {
      const replies = new Set((await logsOf(client.metadata.name)).split('\n').filter((l) => l.startsWith('web: ')).map((l) => l.slice('web: '.length).trim()));
      return replies.size >= 3 ? replies : undefined;
    }, 60_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; client log tail:\n${(await logsOf(client.metadata.name)).split('\n').slice(0, 12).join('\n')}`);
    });
    expect(served).toEqual(webNames);

    const host = gateways[nodeIndex(client)];
    const cp = String(webPort.clusterPort);
    const env = envOf(await logsOf(client.metadata.name));
    expect(env).toEqual({
      WEB_SERVICE_HOST: host,
      WEB_SERVICE_PORT: cp,
      WEB_SERVICE_PORT_HTTP: cp,
      WEB_PORT: `tcp://${host}:${cp}`,
      WEB_PORT_80_TCP: `tcp://${host}:${cp}`,
      WEB_PORT_80_TCP_PROTO: 'tcp',
      WEB_PORT_80_TCP_PORT: cp,
      WEB_PORT_80_TCP_ADDR: host,
    });

    // A service created after the client: not in its environment (Kubernetes semantics), but in a replica created after it.
    const late = await create('/api/v1/namespaces/default/services', service('late', { selector: { app: 'web' }, ports: [{ name: 'alt', port: 8080, targetPort: 'http' }] }));
    const latePort = String((late.spec['ports'] as Port[])[0].clusterPort);
    expect(latePort).not.toBe(cp);
    const [clientContainer] = (await run('docker', ['ps', '-q', '--filter', `label=berth.deployment=client`, '--filter', `label=berth.node=${String(client.spec['nodeName'])}`])).stdout.split('\n');
    const { stdout: inspected } = await run('docker', ['inspect', '-f', '{{json .Config.Env}}', clientContainer.trim()]);
    const containerEnv = JSON.parse(inspected) as string[];
    expect(containerEnv).toContain(`WEB_SERVICE_HOST=${host}`);
    expect(containerEnv.filter((e) => e.startsWith('LATE_'))).toEqual([]);
    expect(containerEnv.filter((e) => e.startsWith('ELSEWHERE_'))).toEqual([]);

    expect((await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/client/scale', { spec: { replicas: 2 } })).status).toBe(200);
    const second = await until('a second client replica running', async () => {
      const pod = (await podsOf('client')).find((p) => p.metadata.name !== client.metadata.name && p.status?.['phase'] === 'Running');
      return pod;
    });
    const secondHost = gateways[nodeIndex(second)];
    const lateReplies = await until('the second client to reach the late service', async () => {
      const logs = await logsOf(second.metadata.name);
      const replies = logs.split('\n').filter((l) => l.startsWith('late: '));
      return replies.length > 0 ? logs : undefined;
    }, 60_000);
    expect(envOf(lateReplies)).toMatchObject({ WEB_SERVICE_HOST: secondHost, LATE_SERVICE_HOST: secondHost, LATE_SERVICE_PORT: latePort, LATE_SERVICE_PORT_ALT: latePort, LATE_PORT_8080_TCP_PORT: latePort });
    expect((await logsOf(client.metadata.name)).includes('late: ')).toBe(false);
  });
});
