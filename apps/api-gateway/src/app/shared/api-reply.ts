import { Readable } from 'node:stream';

/** A JSON answer with what the transport needs to know besides the body. */
export class ApiReply<T> {
  constructor(
    readonly body: T,
    /** Only routes marked @ReplyStatus() may vary it; the others answer their declared code. */
    readonly code = 200,
    /** Sent as `Warning: 299 - "<text>"` headers (kubectl prints them). */
    readonly warnings: readonly string[] = [],
  ) {}
}

/** A streamed answer (watch, follow logs): headers go out at once, then the data as it comes. */
export class ApiStream {
  constructor(
    readonly contentType: string,
    readonly stream: Readable,
  ) {}
}

export type KubeObject = Record<string, unknown>;

export interface KubeList {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}
