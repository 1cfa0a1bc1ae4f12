/** Base of every error about one listener; `service`, `address` and `port` name it. */
export class ListenerError extends Error {
  constructor(
    message: string,
    readonly service: string,
    readonly address: string,
    readonly port: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Another process (or socket) already holds the address:port (EADDRINUSE). */
export class PortInUse extends ListenerError {
  constructor(service: string, address: string, port: number) {
    super(`${address}:${port} for service ${service} is already in use`, service, address, port, 'EADDRINUSE');
  }
}

/** Two services asked for the same address:port in one applyServices call; the first one keeps it. */
export class DuplicateListener extends ListenerError {
  constructor(
    service: string,
    address: string,
    port: number,
    readonly heldBy: string,
  ) {
    super(`${address}:${port} for service ${service} is already claimed by service ${heldBy}`, service, address, port, 'EDUPLICATE');
  }
}

/** Any other bind failure: EADDRNOTAVAIL (address not on this host), EACCES (privileged port), ... */
export class ListenerFailed extends ListenerError {
  constructor(service: string, address: string, port: number, code: string | undefined, cause: string) {
    super(`cannot listen on ${address}:${port} for service ${service}: ${cause}`, service, address, port, code);
  }
}

/** The service list handed to applyServices is malformed; nothing was applied. */
export class InvalidProxiedService extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid proxied services: ${problems.join('; ')}`);
    this.name = 'InvalidProxiedService';
  }
}

/** The proxy was closed; it accepts no more calls that open listeners. */
export class ProxyClosed extends Error {
  constructor() {
    super('service proxy is closed');
    this.name = 'ProxyClosed';
  }
}

/** An upstream connection did not complete within connectTimeoutMs. */
export class UpstreamConnectTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(address: string, port: number, timeoutMs: number) {
    super(`connect to ${address}:${port} timed out after ${timeoutMs} ms`);
    this.name = 'UpstreamConnectTimeout';
  }
}
