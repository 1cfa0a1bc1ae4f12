import { connect, NatsConnection, ConnectionOptions } from 'nats';

export interface NatsOptions {
  url: string;
  name: string;
  user?: string;
  password?: string;
}

/** A connection that never gives up reconnecting: services must outlive a NATS restart. */
export async function connectNats(options: NatsOptions, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
  return connect({
    servers: options.url.split(','),
    name: options.name,
    user: options.user,
    pass: options.password,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
    ...extra,
  });
}

/** The options Nest's own NATS transport (@nestjs/microservices) takes, from the same settings. */
export function natsTransportOptions(options: NatsOptions, queue?: string): Record<string, unknown> {
  return {
    servers: options.url.split(','),
    name: `${options.name}-rpc`,
    user: options.user,
    pass: options.password,
    queue,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
  };
}
