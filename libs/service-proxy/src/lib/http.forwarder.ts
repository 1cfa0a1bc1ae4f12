import { Agent, IncomingMessage, OutgoingHttpHeaders, request, ServerResponse, STATUS_CODES } from 'http';
import { connect, Socket } from 'net';
import { EndpointState } from './endpoint.state';
import { UpstreamConnectTimeout } from './proxy.errors';
import { ServiceRuntime } from './service.runtime';
import { relay } from './socket.relay';
import { ForwardOptions } from './tcp.forwarder';

export interface HttpForwardOptions extends ForwardOptions {
  upstreamIdleTimeoutMs: number;
  maxSocketsPerEndpoint: number;
}

/** RFC 9110 7.6.1 plus the usual extras (what Go's ReverseProxy strips). */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** nginx's code for a client that went away before the response: not the service's fault. */
const CLIENT_CLOSED = 499;

const ignore = (): void => undefined;

function endpointAgent(endpoint: EndpointState, options: HttpForwardOptions): Agent {
  if (endpoint.agent === undefined) {
    endpoint.agent = new Agent({
      keepAlive: true,
      maxSockets: options.maxSocketsPerEndpoint,
      maxFreeSockets: options.maxSocketsPerEndpoint,
      timeout: options.upstreamIdleTimeoutMs,
      scheduling: 'lifo',
    });
  }
  return endpoint.agent;
}

function connectionTokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
}

function upstreamRequestHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const extra = connectionTokens(req.headers.connection);
  const headers: OutgoingHttpHeaders = {};
  for (const name in req.headers) {
    if (HOP_BY_HOP.has(name) || (extra.length > 0 && extra.includes(name))) continue;
    headers[name] = req.headers[name];
  }
  // Kept so Node frames the forwarded body the same way (it only chunks some methods by default).
  if (req.headers['transfer-encoding'] !== undefined) headers['transfer-encoding'] = 'chunked';
  const remote = req.socket.remoteAddress;
  if (remote !== undefined) {
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior === undefined ? remote : `${String(prior)}, ${remote}`;
  }
  if (req.headers['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = 'http';
  return headers;
}

function clientResponseHeaders(raw: string[], close: boolean): string[] {
  let extra: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') extra = connectionTokens(raw[i + 1]);
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || (extra !== undefined && extra.includes(name))) continue;
    out.push(raw[i], raw[i + 1]);
  }
  if (close) out.push('connection', 'close');
  return out;
}

function respondError(res: ServerResponse, status: number, close: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${STATUS_CODES[status] ?? ''}\n`;
  const headers: string[] = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(Buffer.byteLength(body))];
  if (close) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * HTTP mode, one request: forwards it to an endpoint over a pooled keep-alive connection and
 * records status and latency. Retries go to another endpoint when nothing reached the upstream
 * (connect failed, so the body is still unread), or when a reused idle connection was reset
 * under an idempotent request without a body (the upstream closed it as we sent).
 */
export function forwardHttp(
  req: IncomingMessage,
  res: ServerResponse,
  service: ServiceRuntime | undefined,
  options: HttpForwardOptions,
  closing: () => boolean,
): void {
  const started = performance.now();
  if (service === undefined || service.removed) {
    respondError(res, 503, true);
    return;
  }
  const metrics = service.metrics;
  const method = req.method ?? 'GET';
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  const hasBody = te !== undefined || (cl !== undefined && cl !== '0');
  const retryOnReset = IDEMPOTENT.has(method) && !hasBody;
  const headers = upstreamRequestHeaders(req);
  const tried: EndpointState[] = [];
  let current: ReturnType<typeof request> | undefined;

  res.once('close', () => {
    const status = res.writableFinished ? res.statusCode : res.headersSent ? res.statusCode : CLIENT_CLOSED;
    metrics.requestCompleted(status, performance.now() - started);
    if (!res.writableFinished) current?.destroy();
  });

  const attempt = (): void => {
    const endpoint = service.pick(tried);
    if (endpoint === undefined) {
      if (tried.length === 0) metrics.rejectedNoEndpoint++;
      else metrics.failedAllAttempts++;
      respondError(res, tried.length === 0 ? 503 : 502, closing());
      return;
    }
    if (tried.length > 0) metrics.httpRetries++;
    tried.push(endpoint);
    endpoint.acquire();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      endpoint.release();
    };
    let connected = false;
    let bodyStarted = false;
    let responded = false;
    let timer: NodeJS.Timeout | undefined;
    const upstream = request({
      host: endpoint.address,
      port: endpoint.port,
      method,
      path: req.url,
      headers,
      agent: endpointAgent(endpoint, options),
      setHost: false,
    });
    current = upstream;
    const startBody = (): void => {
      connected = true;
      if (!hasBody) return;
      bodyStarted = true;
      req.pipe(upstream);
    };
    upstream.once('socket', (socket: Socket) => {
      if (!socket.connecting) {
        startBody();
        return;
      }
      timer = setTimeout(() => upstream.destroy(new UpstreamConnectTimeout(endpoint.address, endpoint.port, options.connectTimeoutMs)), options.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        startBody();
      });
    });
    if (!hasBody) upstream.end();

    upstream.on('error', () => {
      clearTimeout(timer);
      release();
      if (responded || res.destroyed) return;
      if (!connected) {
        endpoint.failedConnects++;
        metrics.failedConnects++;
      }
      const retryable = connected ? upstream.reusedSocket && retryOnReset : !bodyStarted;
      if (retryable && tried.length < options.maxConnectAttempts) {
        attempt();
        return;
      }
      metrics.failedAllAttempts++;
      respondError(res, 502, closing());
    });

    upstream.once('response', (upstreamRes: IncomingMessage) => {
      responded = true;
      const status = upstreamRes.statusCode ?? 502;
      res.writeHead(status, upstreamRes.statusMessage, clientResponseHeaders(upstreamRes.rawHeaders, closing()));
      upstreamRes.on('error', ignore);
      upstreamRes.once('close', () => {
        release();
        // Cut mid-body by the upstream: the client must see a broken response, not a short one.
        if (!upstreamRes.complete) res.destroy();
      });
      upstreamRes.pipe(res);
    });
  };
  attempt();
}

/**
 * HTTP mode, an Upgrade request (WebSocket): replays the request head to an endpoint, then
 * becomes an L4 tunnel. Only connect failures are retried.
 */
export function tunnelUpgrade(req: IncomingMessage, client: Socket, head: Buffer, service: ServiceRuntime | undefined, options: ForwardOptions): void {
  client.on('error', ignore);
  if (service === undefined || service.removed) {
    client.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    return;
  }
  const metrics = service.metrics;
  const tried: EndpointState[] = [];
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  const requestHead = lines.join('\r\n') + '\r\n\r\n';

  const attempt = (): void => {
    const endpoint = service.pick(tried);
    if (endpoint === undefined) {
      if (tried.length === 0) metrics.rejectedNoEndpoint++;
      else metrics.failedAllAttempts++;
      client.end(`HTTP/1.1 ${tried.length === 0 ? '503 Service Unavailable' : '502 Bad Gateway'}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
      return;
    }
    if (tried.length > 0) metrics.retries++;
    tried.push(endpoint);
    endpoint.acquire();
    const upstream = connect({ host: endpoint.address, port: endpoint.port, noDelay: true });
    const timer = setTimeout(
      () => upstream.destroy(new UpstreamConnectTimeout(endpoint.address, endpoint.port, options.connectTimeoutMs)),
      options.connectTimeoutMs,
    );
    const onConnectError = (): void => {
      clearTimeout(timer);
      endpoint.failedConnects++;
      metrics.failedConnects++;
      endpoint.release();
      if (client.destroyed) return;
      if (tried.length < options.maxConnectAttempts) attempt();
      else {
        metrics.failedAllAttempts++;
        client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      }
    };
    upstream.once('error', onConnectError);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.off('error', onConnectError);
      upstream.on('error', ignore);
      upstream.once('close', () => endpoint.release());
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      upstream.write(requestHead);
      if (head.length > 0) upstream.write(head);
      relay(client, upstream);
    });
  };
  attempt();
}
