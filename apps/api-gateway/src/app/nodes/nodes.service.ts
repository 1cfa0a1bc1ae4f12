import { Injectable } from '@nestjs/common';
import { canonicalJson } from '@berth/cluster-state';
import { InvalidManifest, invalidStatus, NewEvent, Status } from '@berth/contracts';
import { JsonObject, NodeInternal, UNSCHEDULABLE_TAINT } from '@berth/api-read-models';
import { NODES } from '../resources/api-kinds';
import { applyPatch } from '../resources/manifest-resources.service';
import { ObjectReads } from '../resources/object-reads.service';
import { ObjectWriter } from '../resources/object-writer.service';
import { ApiReply, ApiStream, KubeList, KubeObject } from '../shared/api-reply';
import { decodePatchBody } from '../shared/body-decoder';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller } from '../shared/request-context';
import { successStatus } from '../shared/success-status';

/** The node without what cordoning changes: a patch may change nothing else (agents own the rest). */
export function withoutCordon(node: JsonObject): JsonObject {
  const metadata = { ...(node['metadata'] as JsonObject) };
  delete metadata['resourceVersion'];
  const spec = { ...((node['spec'] as JsonObject | undefined) ?? {}) };
  delete spec['unschedulable'];
  const taints = ((spec['taints'] as { key?: string }[] | undefined) ?? []).filter((t) => t.key !== UNSCHEDULABLE_TAINT);
  if (taints.length > 0) spec['taints'] = taints;
  else delete spec['taints'];
  return { ...node, metadata, spec };
}

/** Nodes are registered by their agents; users may cordon, uncordon and drain them. */
@Injectable()
export class NodesService {
  constructor(
    private readonly reads: ObjectReads,
    private readonly writer: ObjectWriter,
  ) {}

  list(query: Record<string, string>, gone: AbortSignal): Promise<ApiReply<KubeList> | ApiStream> {
    return this.reads.listOrWatch(NODES, undefined, query, gone);
  }

  get(name: string, query: Record<string, string>): Promise<ApiReply<KubeObject>> {
    return this.reads.get(NODES, undefined, name, query);
  }

  /** `spec.unschedulable: true|false` = cordon / uncordon (what `kubectl cordon` sends). */
  async patch(caller: Caller, name: string, body: RequestBody): Promise<ApiReply<KubeObject>> {
    const { kind, patch } = decodePatchBody(body);
    return this.writer.retrying(async () => {
      const { row } = await this.reads.live(NODES, undefined, name, true);
      const patched = applyPatch(row.object, kind, patch) as JsonObject;
      const unschedulable = (patched['spec'] as JsonObject | undefined)?.['unschedulable'];
      if (unschedulable !== undefined && typeof unschedulable !== 'boolean') {
        throw new InvalidManifest(invalidStatus({ kind: 'Node', name }, [{ type: 'Invalid', field: 'spec.unschedulable', value: unschedulable, detail: 'must be a boolean' }]));
      }
      if (canonicalJson(withoutCordon(patched)) !== canonicalJson(withoutCordon(row.object))) {
        throw new InvalidManifest(invalidStatus({ kind: 'Node', name }, [{ type: 'Forbidden', field: 'spec', detail: 'only spec.unschedulable may be changed (the node-agent owns the rest)' }]));
      }
      const cordoned = (row.internal as unknown as NodeInternal).cordoned;
      const wanted = unschedulable === true;
      if (wanted === cordoned) return new ApiReply(row.object);
      const event: NewEvent = { type: wanted ? 'NodeCordoned' : 'NodeUncordoned', data: {} };
      await this.writer.commit(caller, [{ streamId: row.streamId as string, expected: row.streamVersion, events: [event] }]);
      return new ApiReply((await this.reads.live(NODES, undefined, name)).row.object);
    });
  }

  /** Berth extension: cordon the node and move its replicas elsewhere (the scheduler does the moving). */
  async drain(caller: Caller, name: string): Promise<Status> {
    return this.writer.retrying(async () => {
      const { row } = await this.reads.live(NODES, undefined, name, true);
      if (!(row.internal as unknown as NodeInternal).drainRequested) {
        await this.writer.commit(caller, [{ streamId: row.streamId as string, expected: row.streamVersion, events: [{ type: 'NodeDrainRequested', data: {} }] }]);
      }
      return successStatus(`node "${name}" is being drained: it is cordoned and its replicas will be moved to other nodes`, { name, kind: 'nodes' }, 202);
    });
  }
}
