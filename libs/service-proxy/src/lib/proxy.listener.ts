import { createServer as createHttpServer, Server as HttpServer } from 'http';
import { createServer, Server, Socket } from 'net';
import { forwardHttp, HttpForwardOptions, tunnelUpgrade } from './http.forwarder';
import { ListenerError, ListenerFailed, PortInUse } from './proxy.errors';
import { ServiceRuntime } from './service.runtime';
import { forwardTcp } from './tcp.forwarder';

export interface ListenerContext {
  resolve(serviceKey: string): ServiceRuntime | undefined;
  /** Registers a client connection proxy-wide, for close(). */
  track(socket: Socket): void;
  untrack(socket: Socket): void;
  forward: HttpForwardOptions;
  httpKeepAliveTimeoutMs: number;
}

const ignore = (): void => undefined;

export const listenerId = (address: string, port: number): string => `${address}|${port}`;

/**
 * One address:port. Always a plain TCP server: each accepted connection goes to the L4 forwarder
 * or, for appProtocol http, to an HTTP parser fed the same socket, so switching a service's mode
 * never rebinds the port.
 */
export class ProxyListener {
  private server?: Server;
  private httpServer?: HttpServer;
  private closing = false;

  constructor(
    readonly address: string,
    readonly port: number,
    public serviceKey: string,
    private readonly ctx: ListenerContext,
  ) {}

  get id(): string {
    return listenerId(this.address, this.port);
  }

  /** Rejects with PortInUse or ListenerFailed. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.onConnection(socket));
      const onError = (err: NodeJS.ErrnoException): void => {
        server.close();
        reject(this.toError(err));
      };
      server.once('error', onError);
      server.listen({ host: this.address, port: this.port, backlog: 1024 }, () => {
        server.off('error', onError);
        // Accept errors (EMFILE) are transient: the server keeps listening.
        server.on('error', ignore);
        this.server = server;
        resolve();
      });
    });
  }

  /** Stops accepting; idle keep-alive clients are closed, busy ones after their current response. */
  close(): void {
    this.closing = true;
    this.server?.close();
    this.server = undefined;
    this.httpServer?.close(ignore);
  }

  private onConnection(socket: Socket): void {
    const service = this.ctx.resolve(this.serviceKey);
    if (service === undefined) {
      socket.destroy();
      return;
    }
    this.ctx.track(socket);
    const metrics = service.metrics;
    metrics.connectionOpened();
    service.sockets.add(socket);
    socket.once('close', () => {
      service.sockets.delete(socket);
      metrics.connectionClosed(socket.bytesRead, socket.bytesWritten);
      this.ctx.untrack(socket);
    });
    if (service.mode === 'http') this.http().emit('connection', socket);
    else forwardTcp(socket, service, this.ctx.forward);
  }

  private http(): HttpServer {
    if (this.httpServer !== undefined) return this.httpServer;
    const server = createHttpServer((req, res) => forwardHttp(req, res, this.ctx.resolve(this.serviceKey), this.ctx.forward, () => this.closing));
    server.keepAliveTimeout = this.ctx.httpKeepAliveTimeoutMs;
    server.on('upgrade', (req, socket: Socket, head: Buffer) => tunnelUpgrade(req, socket, head, this.ctx.resolve(this.serviceKey), this.ctx.forward));
    // Never listens itself (sockets are handed over), but 'listening' is what starts Node's per-connection tracking and timeouts.
    server.emit('listening');
    this.httpServer = server;
    return server;
  }

  private toError(err: NodeJS.ErrnoException): ListenerError {
    if (err.code === 'EADDRINUSE') return new PortInUse(this.serviceKey, this.address, this.port);
    return new ListenerFailed(this.serviceKey, this.address, this.port, err.code, err.message);
  }
}
