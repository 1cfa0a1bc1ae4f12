import { Status } from '@berth/contracts';
import { GatewayConfig } from '../app.config';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { decodeObjectBody } from '../shared/body-decoder';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller } from '../shared/request-context';
import { ManifestKind, ManifestResources } from './manifest-resources.service';
import { ObjectReads } from './object-reads.service';

/** The plain verbs of a kind users write whole; feature services extend it with their own. */
export abstract class ManifestCrud {
  abstract readonly kind: ManifestKind;

  constructor(
    protected readonly reads: ObjectReads,
    protected readonly resources: ManifestResources,
    protected readonly config: GatewayConfig,
  ) {}

  list(namespace: string | undefined, query: Record<string, string>, gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.reads.listOrWatch(this.kind.api, namespace, query, gone);
  }

  get(namespace: string | undefined, name: string, query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.reads.get(this.kind.api, namespace, name, query);
  }

  async create(caller: Caller, namespace: string | undefined, body: RequestBody, query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    const object = decodeObjectBody(body, this.config.MAX_BODY_BYTES);
    const outcome = await this.resources.create(this.kind, caller, namespace, object, { dryRun: query['dryRun'] === 'All' });
    return new ApiReply(outcome.object, 201, outcome.warnings);
  }

  async replace(caller: Caller, namespace: string | undefined, name: string, body: RequestBody): Promise<ApiReply<KubeObject>> {
    const outcome = await this.resources.replace(this.kind, caller, namespace, name, decodeObjectBody(body, this.config.MAX_BODY_BYTES));
    return new ApiReply(outcome.object, 200, outcome.warnings);
  }

  async patch(caller: Caller, namespace: string | undefined, name: string, body: RequestBody): Promise<ApiReply<KubeObject>> {
    const outcome = await this.resources.patch(this.kind, caller, namespace, name, body);
    return new ApiReply(outcome.object, 200, outcome.warnings);
  }

  delete(caller: Caller, namespace: string | undefined, name: string): Promise<Status> {
    return this.resources.delete(this.kind, caller, namespace, name);
  }
}
