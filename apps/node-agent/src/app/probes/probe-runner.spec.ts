import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbeSpec } from '@berth/contracts';
import type { ContainerRuntime, ExecResult } from '@berth/docker-runtime';
import { ExecProbeRunner, hostPortFor, NetworkProbeRunner, type ProbeTarget } from './probe-runner';

const probe = (more: Partial<ProbeSpec>): ProbeSpec => ({ initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1, ...more });

describe('probe runners', () => {
  let server: Server;
  let port: number;
  const execs: string[][] = [];
  const runtime = {
    exec: async (_id: string, command: string[]): Promise<ExecResult> => {
      execs.push(command);
      return command.includes('fail') ? { exitCode: 3, output: 'nope\n', timedOut: false } : { exitCode: 0, output: '', timedOut: false };
    },
  } as unknown as ContainerRuntime;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1_500);
      res.statusCode = req.url === '/healthz' ? 200 : req.url === '/moved' ? 302 : 503;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const target = (): ProbeTarget => ({ containerId: 'c1', hostIp: '127.0.0.1', hostPorts: { 80: port }, namedPorts: { http: 80 } });
  const runner = () => new NetworkProbeRunner(runtime);

  it('httpGet: 2xx and 3xx succeed, others fail with the status code', async () => {
    expect(await runner().run(probe({ httpGet: { path: '/healthz', port: 80, scheme: 'HTTP' } }), target())).toEqual({ ok: true });
    expect(await runner().run(probe({ httpGet: { path: '/moved', port: 'http', scheme: 'HTTP' } }), target())).toEqual({ ok: true });
    expect(await runner().run(probe({ httpGet: { path: '/other', port: 80, scheme: 'HTTP' } }), target())).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
  });

  it('httpGet: a response slower than timeoutSeconds fails', async () => {
    const outcome = await runner().run(probe({ httpGet: { path: '/slow', port: 80, scheme: 'HTTP' } }), target());
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/timeout/);
  });

  it('tcpSocket: connects or names the refusal', async () => {
    expect(await runner().run(probe({ tcpSocket: { port: 80 } }), target())).toEqual({ ok: true });
    const closed = { ...target(), hostPorts: { 80: 1 } };
    expect((await runner().run(probe({ tcpSocket: { port: 80 } }), closed)).message).toMatch(/dial tcp 127.0.0.1:1: .*ECONNREFUSED/);
  });

  it('exec: exit 0 succeeds, anything else fails with the output', async () => {
    expect(await runner().run(probe({ exec: { command: ['check'] } }), target())).toEqual({ ok: true });
    expect(await runner().run(probe({ exec: { command: ['check', 'fail'] } }), target())).toEqual({ ok: false, message: 'command exited with 3: nope' });
  });

  it('names a port that is not declared or not published', () => {
    expect(hostPortFor('metrics', target())).toMatch(/not a named port/);
    expect(hostPortFor(9090, target())).toMatch(/9090 is not a declared/);
    expect(hostPortFor('80', target())).toBe(port);
  });

  it('hollow: every probe is an exec the simulated runtime answers', async () => {
    execs.length = 0;
    await new ExecProbeRunner(runtime).run(probe({ httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' } }), target());
    await new ExecProbeRunner(runtime).run(probe({ tcpSocket: { port: 80 } }), target());
    expect(execs).toEqual([
      ['probe', 'httpGet', 'http', '/healthz'],
      ['probe', 'tcpSocket', '80'],
    ]);
  });
});
