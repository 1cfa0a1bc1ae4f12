import { Inject, Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ApiObjectReader, ChangeFeed, ProjectionPump, WatcherTooSlow } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { ResourceVersionGone } from '../shared/api-errors';
import { ApiStream, KubeObject } from '../shared/api-reply';
import { ListOptions } from '../shared/list-options';
import { fieldsMatch, labelsMatch } from '../shared/selectors';
import { toStatus } from '../shared/status-mapping';
import type { ApiKind } from '../resources/api-kinds';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

function line(type: WatchEventType, object: KubeObject): string {
  return `${JSON.stringify({ type, object })}\n`;
}

/**
 * Watches from the log: the objects as of the start (or the stored changes after a given
 * resourceVersion), then every change as the projection records it, as newline-delimited
 * JSON; a BOOKMARK after each quiet spell; ends when the client goes or `timeoutSeconds` pass.
 */
@Injectable()
export class WatchService {
  private readonly logger = new Logger(WatchService.name);

  constructor(
    private readonly reader: ApiObjectReader,
    private readonly feed: ChangeFeed,
    private readonly pump: ProjectionPump,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async watch(kind: ApiKind, namespace: string | undefined, options: ListOptions, gone: AbortSignal): Promise<ApiStream> {
    const scope = kind.namespaced ? namespace : '';
    let from: number;
    let initial: KubeObject[] = [];
    if (!options.resourceVersion) {
      const snapshot = await this.reader.list(kind.kind, { ...(scope !== undefined ? { namespace: scope } : {}), limit: 1_000_000, ...(options.labels ? { labels: options.labels.equalities } : {}) });
      initial = snapshot.items.map((i) => i.object);
      from = snapshot.position;
    } else {
      from = options.resourceVersion;
      const oldest = await this.reader.compactedThrough();
      if (from < oldest) throw new ResourceVersionGone(from, oldest);
    }
    const signal = options.timeoutSeconds ? AbortSignal.any([gone, AbortSignal.timeout(options.timeoutSeconds * 1000)]) : gone;
    const matches = (object: KubeObject) => labelsMatch(options.labels, object) && fieldsMatch(options.fields, object);
    const bookmark = (position: number): KubeObject => ({ kind: kind.kind, apiVersion: kind.apiVersion, metadata: { resourceVersion: String(position) } });
    const feed = this.feed;
    const idleMs = this.config.WATCH_BOOKMARK_SECONDS * 1000;
    const logger = this.logger;
    async function* lines(): AsyncGenerator<string> {
      for (const object of initial) if (matches(object)) yield line('ADDED', object);
      let sentThrough = from;
      try {
        for await (const batch of feed.follow(from, { kinds: [kind.kind], ...(scope !== undefined ? { namespace: scope } : {}) }, signal, idleMs)) {
          for (const change of batch.changes) if (matches(change.object)) yield line(change.type, change.object);
          if (batch.changes.length === 0 && batch.position >= sentThrough) yield line('BOOKMARK', bookmark(batch.position));
          sentThrough = Math.max(sentThrough, batch.position);
        }
      } catch (error) {
        if (!(error instanceof WatcherTooSlow)) logger.warn({ msg: 'watch failed', kind: kind.kind, error: String(error) });
        yield line('ERROR', toStatus(error));
      }
    }
    // Nothing to send yet is still a live watch: make sure the read model keeps moving.
    this.pump.kick();
    return new ApiStream('application/json', Readable.from(lines()));
  }
}
