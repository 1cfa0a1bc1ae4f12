import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the CLI sent, as the fake server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type FakeHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

interface Route {
  method: string;
  path: string | RegExp;
  handler: FakeHandler;
}

/** A Kubernetes Status body as the contract defines it. */
export function kubeStatus(code: number, reason: string, message: string, causes?: { reason: string; message: string; field?: string }[]) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    ...(causes ? { details: { causes } } : {}),
    code,
  };
}

/** A success Status, as DELETE and the drain extension answer. */
export function successStatus(message: string, code = 200) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message, code };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/** The list envelope of the contract. */
export function list(kind: string, items: unknown[], resourceVersion = '100', apiVersion = 'v1') {
  return { kind: `${kind}List`, apiVersion, metadata: { resourceVersion }, items };
}

/**
 * A small HTTP server speaking the API contract's shapes, for CLI tests while the real gateway
 * is being written: routes answer what each test declares, every request is recorded, anything
 * else gets the contract's 404 Status.
 */
export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeApiServer> {
    const holder: { fake?: FakeApiServer } = {};
    const server = createServer((req, res) => {
      void holder.fake?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new FakeApiServer(server, `http://127.0.0.1:${port}`);
    return holder.fake;
  }

  /** Later routes win, so a test can override a default answer. */
  on(method: string, path: string | RegExp, handler: FakeHandler): this {
    this.routes.unshift({ method, path, handler });
    return this;
  }

  json(method: string, path: string | RegExp, body: unknown, status = 200): this {
    return this.on(method, path, (_req, res) => sendJson(res, status, body));
  }

  status(method: string, path: string | RegExp, code: number, reason: string, message: string): this {
    return this.json(method, path, kubeStatus(code, reason, message), code);
  }

  /** Requests to a path (and method), in order. */
  sent(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  reset(): void {
    this.requests.length = 0;
    this.routes.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const route = this.routes.find(
      (r) => r.method === recorded.method && (typeof r.path === 'string' ? r.path === recorded.path : r.path.test(recorded.path)),
    );
    try {
      if (route) await route.handler(recorded, res);
      else sendJson(res, 404, kubeStatus(404, 'NotFound', 'the server could not find the requested resource'));
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, kubeStatus(500, 'InternalError', String(error)));
    }
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Writes watch events as NDJSON, one chunk each; leaves the stream open unless `end`. */
export function streamEvents(res: ServerResponse, events: { type: string; object: unknown }[], end = false): void {
  if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  for (const event of events) res.write(`${JSON.stringify(event)}\n`);
  if (end) res.end();
}
