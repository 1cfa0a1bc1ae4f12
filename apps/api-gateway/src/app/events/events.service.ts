import { Injectable } from '@nestjs/common';
import { EVENTS } from '../resources/api-kinds';
import { ObjectReads } from '../resources/object-reads.service';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';

/** Kubernetes Events derived from the log by the read model (see kube-event.view in api-read-models). */
@Injectable()
export class EventsService {
  constructor(private readonly reads: ObjectReads) {}

  list(namespace: string | undefined, query: Record<string, string>, gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.reads.listOrWatch(EVENTS, namespace, query, gone);
  }

  get(namespace: string, name: string, query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.reads.get(EVENTS, namespace, name, query);
  }
}
