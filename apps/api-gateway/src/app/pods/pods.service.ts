import { Injectable } from '@nestjs/common';
import { ObjectReads } from '../resources/object-reads.service';
import { ObjectWriter, reasonBy } from '../resources/object-writer.service';
import { PODS } from '../resources/api-kinds';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { Caller } from '../shared/request-context';

/** Pods are a read-only view of replicas; deleting one asks for the replica to go (its deployment replaces it). */
@Injectable()
export class PodsService {
  constructor(
    private readonly reads: ObjectReads,
    private readonly writer: ObjectWriter,
  ) {}

  list(namespace: string | undefined, query: Record<string, string>, gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.reads.listOrWatch(PODS, namespace, query, gone);
  }

  get(namespace: string, name: string, query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.reads.get(PODS, namespace, name, query);
  }

  delete(caller: Caller, namespace: string, name: string): Promise<ApiReply<KubeObject>> {
    return this.writer.retrying(async () => {
      const { row } = await this.reads.live(PODS, namespace, name);
      if ((row.object['metadata'] as { deletionTimestamp?: string }).deletionTimestamp) return new ApiReply(row.object);
      await this.writer.commit(caller, [
        { streamId: row.streamId as string, expected: row.streamVersion, events: [{ type: 'ReplicaDeletionRequested', data: { reason: reasonBy('deleted', caller) } }] },
      ]);
      return new ApiReply((await this.reads.live(PODS, namespace, name)).row.object);
    });
  }
}
