import { performance } from 'node:perf_hooks';
import type { ApiClient, ListOptions } from '../client/api.client';
import { ApiError } from '../client/api.errors';
import type { WatchEvent } from '../client/api.types';
import type { CommandContext } from '../cli-context';
import type { ResourceKind } from '../resources/resource-kinds';

export interface FollowOptions extends ListOptions {
  resourceVersion?: string;
  signal?: AbortSignal;
  /** Called after 410 Gone: list again, show what changed, return the list's resourceVersion. */
  relist: () => Promise<string | undefined>;
}

/** Pause before reconnecting a watch the server closed at once, so a broken server is not hammered. */
const RECONNECT_PAUSE_MS = 1000;

/**
 * Follows a watch from a resourceVersion: reconnects where it left off when the server closes
 * the stream, re-lists on 410 Gone. Returns when the handler says `stop`; cancellation throws.
 */
export async function followWatch(
  ctx: CommandContext,
  client: ApiClient,
  kind: ResourceKind,
  options: FollowOptions,
  handler: (event: WatchEvent) => 'stop' | void | Promise<'stop' | void>,
): Promise<void> {
  let resourceVersion = options.resourceVersion;
  for (;;) {
    const started = performance.now();
    let received = 0;
    try {
      const events = client.watch(kind, {
        namespace: options.namespace,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        resourceVersion,
        signal: options.signal,
      });
      for await (const event of events) {
        received++;
        resourceVersion = event.object.metadata?.resourceVersion || resourceVersion;
        if (event.type === 'BOOKMARK') continue;
        if ((await handler(event)) === 'stop') return;
      }
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 410)) throw error;
      resourceVersion = await options.relist();
      continue;
    }
    if (received === 0 || performance.now() - started < RECONNECT_PAUSE_MS) await ctx.sleep(RECONNECT_PAUSE_MS, options.signal ?? ctx.io.signal);
  }
}
