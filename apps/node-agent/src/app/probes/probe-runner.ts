import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ProbeSpec } from '@berth/contracts';
import type { ContainerRuntime } from '@berth/docker-runtime';

/** Where a probe finds its container: its published ports on the node's advertise address. */
export interface ProbeTarget {
  containerId: string;
  hostIp: string;
  /** containerPort -> hostPort */
  hostPorts: Record<number, number>;
  /** Named container ports (`ports[].name` -> containerPort) for `port: "http"`. */
  namedPorts: Record<string, number>;
}

export interface ProbeOutcome {
  ok: boolean;
  /** Kubernetes-style, e.g. `HTTP probe failed with statuscode: 404`. */
  message?: string;
}

export interface ProbeRunner {
  run(probe: ProbeSpec, target: ProbeTarget): Promise<ProbeOutcome>;
}

/** Real probes: HTTP and TCP to the published host port, exec through the runtime. */
export class NetworkProbeRunner implements ProbeRunner {
  constructor(private readonly runtime: ContainerRuntime) {}

  async run(probe: ProbeSpec, target: ProbeTarget): Promise<ProbeOutcome> {
    const timeoutMs = probe.timeoutSeconds * 1000;
    if (probe.exec) return execProbe(this.runtime, probe.exec.command, target, timeoutMs);
    const spec = probe.httpGet ?? probe.tcpSocket;
    if (!spec) return { ok: false, message: 'probe has no handler (httpGet, tcpSocket or exec)' };
    const port = hostPortFor(spec.port, target);
    if (typeof port === 'string') return { ok: false, message: port };
    if (probe.httpGet) return httpProbe(target.hostIp, port, probe.httpGet.path, probe.httpGet.scheme, timeoutMs);
    return tcpProbe(target.hostIp, port, timeoutMs);
  }
}

/**
 * Hollow nodes have no sockets: every probe becomes an exec the simulated runtime answers
 * (`probe httpGet <port> <path>`, `probe tcpSocket <port>`), so scale tests can fail them by rule.
 */
export class ExecProbeRunner implements ProbeRunner {
  constructor(private readonly runtime: ContainerRuntime) {}

  async run(probe: ProbeSpec, target: ProbeTarget): Promise<ProbeOutcome> {
    const command = probe.exec?.command ?? (probe.httpGet ? ['probe', 'httpGet', String(probe.httpGet.port), probe.httpGet.path] : ['probe', 'tcpSocket', String(probe.tcpSocket?.port ?? '')]);
    return execProbe(this.runtime, command, target, probe.timeoutSeconds * 1000);
  }
}

/** The host port a probe's `port` (number or port name) is published on, or why there is none. */
export function hostPortFor(port: number | string, target: ProbeTarget): number | string {
  const containerPort = typeof port === 'number' ? port : /^\d+$/.test(port) ? Number(port) : target.namedPorts[port];
  if (containerPort === undefined) return `port "${port}" is not a named port of the container`;
  const hostPort = target.hostPorts[containerPort];
  if (hostPort === undefined) return `port ${containerPort} is not a declared (published) container port`;
  return hostPort;
}

async function execProbe(runtime: ContainerRuntime, command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    const result = await runtime.exec(target.containerId, command, timeoutMs);
    if (result.timedOut) return { ok: false, message: `command timed out after ${timeoutMs / 1000}s` };
    if (result.exitCode === 0) return { ok: true };
    return { ok: false, message: `command exited with ${result.exitCode}: ${result.output.trim().slice(0, 200)}` };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function httpProbe(host: string, port: number, path: string, scheme: 'HTTP' | 'HTTPS', timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const request = (scheme === 'HTTPS' ? httpsRequest : httpRequest)(
      { host, port, path: path.startsWith('/') ? path : `/${path}`, method: 'GET', headers: { 'User-Agent': 'berth-probe/1.0', Accept: '*/*', Connection: 'close' }, timeout: timeoutMs, rejectUnauthorized: false, agent: false },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        // Kubernetes: 200 <= code < 400 is a success.
        resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${status}` });
      },
    );
    request.once('timeout', () => request.destroy(new Error(`timeout after ${timeoutMs / 1000}s`)));
    request.once('error', (error) => resolve({ ok: false, message: `Get "${scheme.toLowerCase()}://${host}:${port}${path}": ${error.message}` }));
    request.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ProbeOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', (error) => done({ ok: false, message: `dial tcp ${host}:${port}: ${error.message}` }));
  });
}
