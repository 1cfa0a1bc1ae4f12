import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { streamIds } from '@berth/contracts';
import { WrongExpectedVersion } from '@berth/event-store';
import { NAMESPACES } from '../resources/api-kinds';
import { ObjectReads } from '../resources/object-reads.service';
import { ObjectWriter } from '../resources/object-writer.service';

/** `default` exists implicitly: the first gateway to start records it (others lose the race quietly). */
@Injectable()
export class DefaultNamespaceBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(DefaultNamespaceBootstrap.name);

  constructor(
    private readonly reads: ObjectReads,
    private readonly writer: ObjectWriter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const row = await this.reads.row(NAMESPACES, undefined, 'default');
    if (row && !row.deleted) return;
    const manifest = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: randomUUID() } };
    try {
      const caller = { actor: 'system:api-gateway', grant: { role: 'admin' as const }, requestId: `startup-${randomUUID()}` };
      await this.writer.commit(caller, [{ streamId: streamIds.namespace('default'), expected: row ? row.streamVersion : 'no_stream', events: [{ type: 'NamespaceCreated', data: { manifest } }] }]);
      this.logger.log({ msg: 'created the default namespace' });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
    }
  }
}
