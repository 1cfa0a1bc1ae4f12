import { connect, Socket } from 'net';
import { EndpointState } from './endpoint.state';
import { UpstreamConnectTimeout } from './proxy.errors';
import { ServiceRuntime } from './service.runtime';
import { relay } from './socket.relay';

export interface ForwardOptions {
  connectTimeoutMs: number;
  maxConnectAttempts: number;
}

const ignore = (): void => undefined;

/**
 * L4: picks an endpoint, connects, then relays both ways. The client's bytes wait in its socket
 * (not read yet) until an upstream is connected, so a failed connect is retried on another
 * endpoint before the client sees anything.
 */
export function forwardTcp(client: Socket, service: ServiceRuntime, options: ForwardOptions): void {
  const metrics = service.metrics;
  const tried: EndpointState[] = [];
  let pending: Socket | undefined;
  client.on('error', ignore);
  const onClientGone = (): void => {
    pending?.destroy();
  };
  client.once('close', onClientGone);

  const attempt = (): void => {
    const endpoint = service.pick(tried);
    if (endpoint === undefined) {
      if (tried.length === 0) metrics.rejectedNoEndpoint++;
      else metrics.failedAllAttempts++;
      client.destroy();
      return;
    }
    if (tried.length > 0) metrics.retries++;
    tried.push(endpoint);
    endpoint.acquire();
    const upstream = connect({ host: endpoint.address, port: endpoint.port, allowHalfOpen: true, noDelay: true });
    pending = upstream;
    upstream.setTimeout(options.connectTimeoutMs);
    const onTimeout = (): void => {
      upstream.destroy(new UpstreamConnectTimeout(endpoint.address, endpoint.port, options.connectTimeoutMs));
    };
    const onConnectError = (): void => {
      upstream.off('timeout', onTimeout);
      pending = undefined;
      endpoint.failedConnects++;
      metrics.failedConnects++;
      endpoint.release();
      if (client.destroyed) return;
      if (tried.length < options.maxConnectAttempts) attempt();
      else {
        metrics.failedAllAttempts++;
        client.destroy();
      }
    };
    upstream.once('timeout', onTimeout);
    upstream.once('error', onConnectError);
    upstream.once('connect', () => {
      upstream.off('error', onConnectError);
      upstream.off('timeout', onTimeout);
      upstream.setTimeout(0);
      pending = undefined;
      client.off('close', onClientGone);
      upstream.on('error', ignore);
      upstream.once('close', () => endpoint.release());
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      relay(client, upstream);
    });
  };
  attempt();
}
