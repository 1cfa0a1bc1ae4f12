import { connect, NatsConnection, ConnectionOptions } from 'nats';

/** TLS to the NATS server: files on disk, read by the client when it connects (and reconnects). */
export interface NatsTlsFiles {
  /** CA bundle that signed the server's certificate (default: Node's trusted CAs). */
  caFile?: string;
  /** Client certificate and key, for servers that verify clients (`verify: true`). */
  certFile?: string;
  keyFile?: string;
}

export interface NatsOptions {
  url: string;
  name: string;
  user?: string;
  password?: string;
  /** Set: the connection uses TLS (a server with a `tls` block requires it). */
  tls?: NatsTlsFiles;
  /** Replies to this connection's requests arrive under this prefix (a node-agent's is inside its own subjects). */
  inboxPrefix?: string;
}

/** What both the plain client and Nest's transport take: servers, credentials, TLS. */
function commonOptions(options: NatsOptions) {
  return {
    servers: options.url.split(','),
    user: options.user,
    pass: options.password,
    ...(options.tls ? { tls: { ...options.tls } } : {}),
    ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
  };
}

/** A connection that never gives up reconnecting: services must outlive a NATS restart. */
export async function connectNats(options: NatsOptions, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  return connect({ ...commonOptions(options), name: options.name, pingInterval: 10_000, ...extra });
}

/** The options Nest's own NATS transport (@nestjs/microservices) takes, from the same settings. */
export function natsTransportOptions(options: NatsOptions, queue?: string): Record<string, unknown> {
  return { ...commonOptions(options), name: `${options.name}-rpc`, queue };
}
