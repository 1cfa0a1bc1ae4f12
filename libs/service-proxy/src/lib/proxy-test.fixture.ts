import { Agent, createServer, IncomingMessage, request, Server, ServerResponse } from 'http';
import { AddressInfo, createServer as createNetServer, Socket } from 'net';
import { ProxiedEndpoint, ProxiedService } from './proxy.types';

/** A local HTTP endpoint: `/` answers its name; `/slow?ms=N` waits; `/status/N` answers N; `/echo` the body; `/headers` what it got. */
export interface Backend {
  name: string;
  address: string;
  port: number;
  server: Server;
  hits: number;
  /** TCP connections accepted (to tell pooled upstream connections from new ones). */
  connections: number;
  close(): Promise<void>;
}

export async function startBackend(name: string, address = '127.0.0.1'): Promise<Backend> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    backend.hits++;
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: string): void => {
        res.writeHead(status, { 'content-type': 'text/plain', 'x-backend': name });
        res.end(body);
      };
      if (url.pathname === '/slow') {
        setTimeout(() => reply(200, name), Number(url.searchParams.get('ms') ?? 100));
      } else if (url.pathname.startsWith('/status/')) {
        reply(Number(url.pathname.slice(8)), name);
      } else if (url.pathname === '/headers') {
        reply(200, JSON.stringify(req.headers));
      } else if (url.pathname === '/echo') {
        reply(200, `${name}:${Buffer.concat(chunks).toString()}`);
      } else {
        reply(200, name);
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => backend.connections++);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const backend: Backend = {
    name,
    address,
    port: (server.address() as AddressInfo).port,
    server,
    hits: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return backend;
}

/** A port that nothing listens on right now (bound, then released). */
export async function freePort(address = '127.0.0.1'): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function endpointOf(backend: Backend, overrides: Partial<ProxiedEndpoint> = {}): ProxiedEndpoint {
  return { id: backend.name, address: backend.address, port: backend.port, ready: true, ...overrides };
}

export function serviceOf(key: string, port: number, endpoints: ProxiedEndpoint[], overrides: Partial<ProxiedService> = {}): ProxiedService {
  return { key, listeners: [{ address: '127.0.0.1', port, protocol: 'TCP' }], targetPort: 80, endpoints, ...overrides };
}

export interface Reply {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}

/** One request; `agent: false` opens a fresh connection (Node 20's global agent keeps alive). */
export function httpRequest(
  port: number,
  path = '/',
  options: { agent?: Agent | false; method?: string; body?: string; host?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 5000,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a raw TCP connection and resolves once it is connected. */
export function rawConnect(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once('error', reject);
    socket.connect(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** Resolves when the socket closes (true) or after timeoutMs (false). */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.resume();
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until predicate() holds or timeoutMs passes. */
export async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
