import { Inject, Injectable } from '@nestjs/common';
import { InvalidManifest, invalidStatus, LabelSelector, validateResource } from '@berth/contracts';
import { currentTemplateHash, DeploymentInternal, JsonObject, ObjectRow, rollbackTarget } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { DEPLOYMENTS } from '../resources/api-kinds';
import { ManifestCrud } from '../resources/manifest-crud';
import { ManifestResources, applyPatch } from '../resources/manifest-resources.service';
import { ObjectReads } from '../resources/object-reads.service';
import { ObjectWriter } from '../resources/object-writer.service';
import { BadRequest, ResourceConflict } from '../shared/api-errors';
import { ApiReply, KubeObject } from '../shared/api-reply';
import { decodeObjectBody, decodeOptionalJson, decodePatchBody } from '../shared/body-decoder';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller } from '../shared/request-context';
import { DEPLOYMENT_KIND } from './deployment.kind';

/** `berth rollout history`: one entry per revision of the pod template. */
export interface DeploymentHistory {
  kind: 'DeploymentHistory';
  apiVersion: 'apps/v1';
  metadata: { name: string; namespace: string; resourceVersion: string };
  revisions: { revision: number; templateHash: string; images: string[]; createdAt: string; changeCause?: string }[];
}

/** `matchLabels` and `matchExpressions` as a label selector string (Scale.status.selector). */
export function selectorString(selector: LabelSelector | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
    else terms.push(`${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`);
  }
  return terms.join(',');
}

function imagesOf(template: JsonObject): string[] {
  const containers = ((template['spec'] as JsonObject | undefined)?.['containers'] as JsonObject[] | undefined) ?? [];
  return containers.map((c) => String(c['image'] ?? ''));
}

@Injectable()
export class DeploymentsService extends ManifestCrud {
  readonly kind = DEPLOYMENT_KIND;

  constructor(
    reads: ObjectReads,
    resources: ManifestResources,
    private readonly writer: ObjectWriter,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    super(reads, resources, config);
  }

  /** The status subresource: the Deployment, as Kubernetes serves it. */
  async status(namespace: string, name: string): Promise<ApiReply<KubeObject>> {
    return new ApiReply((await this.reads.live(DEPLOYMENTS, namespace, name)).row.object);
  }

  async getScale(namespace: string, name: string): Promise<ApiReply<KubeObject>> {
    return new ApiReply(toScale((await this.reads.live(DEPLOYMENTS, namespace, name)).row));
  }

  async replaceScale(caller: Caller, namespace: string, name: string, body: RequestBody): Promise<ApiReply<KubeObject>> {
    const scale = validScale(decodeObjectBody(body, this.config.MAX_BODY_BYTES), namespace, name);
    return this.scaleTo(caller, namespace, name, () => scale);
  }

  async patchScale(caller: Caller, namespace: string, name: string, body: RequestBody): Promise<ApiReply<KubeObject>> {
    const { kind, patch } = decodePatchBody(body);
    return this.scaleTo(caller, namespace, name, (row) => validScale(applyPatch(toScale(row), kind, patch), namespace, name));
  }

  async history(namespace: string, name: string): Promise<DeploymentHistory> {
    const { row } = await this.reads.live(DEPLOYMENTS, namespace, name, true);
    const internal = row.internal as unknown as DeploymentInternal;
    const limit = Number((internal.manifest['spec'] as JsonObject | undefined)?.['revisionHistoryLimit'] ?? 10);
    const kept = [...internal.revisions].sort((a, b) => b.revision - a.revision).slice(0, limit + 1);
    return {
      kind: 'DeploymentHistory',
      apiVersion: 'apps/v1',
      metadata: { name, namespace, resourceVersion: String(row.resourceVersion) },
      revisions: kept
        .reverse()
        .map((r) => ({ revision: r.revision, templateHash: r.templateHash, images: imagesOf(r.template), createdAt: r.createdAt, ...(r.changeCause ? { changeCause: r.changeCause } : {}) })),
    };
  }

  /** `rollout undo`: back to `toRevision` (absent or 0: the previous revision). */
  async rollback(caller: Caller, namespace: string, name: string, body: RequestBody): Promise<ApiReply<KubeObject>> {
    const toRevision = rollbackRevision(decodeOptionalJson(body));
    return this.writer.retrying(async () => {
      const { row } = await this.reads.live(DEPLOYMENTS, namespace, name, true);
      const internal = row.internal as unknown as DeploymentInternal;
      const target = rollbackTarget(internal, toRevision);
      if (!target) throw new BadRequest(toRevision === 0 ? `no rollout history found for deployment "${name}"` : `unable to find specified revision ${toRevision} in history`);
      if (target.templateHash === currentTemplateHash(internal.manifest)) {
        return new ApiReply(row.object, 200, [`skipped rollback (current template already matches revision ${target.revision})`]);
      }
      await this.writer.commit(caller, [{ streamId: DEPLOYMENT_KIND.streamId(namespace, name), expected: row.streamVersion, events: [{ type: 'DeploymentRolledBack', data: { toRevision: target.revision } }] }]);
      return new ApiReply((await this.reads.live(DEPLOYMENTS, namespace, name)).row.object);
    });
  }

  private async scaleTo(caller: Caller, namespace: string, name: string, scaleOf: (row: ObjectRow) => ValidScale): Promise<ApiReply<KubeObject>> {
    return this.writer.retrying(async () => {
      const { row } = await this.reads.live(DEPLOYMENTS, namespace, name);
      const scale = scaleOf(row);
      if (scale.resourceVersion !== undefined && scale.resourceVersion !== String(row.resourceVersion)) throw new ResourceConflict(DEPLOYMENTS, name);
      const current = (row.object['spec'] as { replicas?: number } | undefined)?.replicas;
      if (current === scale.replicas) return new ApiReply(toScale(row));
      await this.writer.commit(caller, [{ streamId: DEPLOYMENT_KIND.streamId(namespace, name), expected: row.streamVersion, events: [{ type: 'DeploymentScaled', data: { replicas: scale.replicas } }] }]);
      return new ApiReply(toScale((await this.reads.live(DEPLOYMENTS, namespace, name)).row));
    });
  }
}

interface ValidScale {
  replicas: number;
  resourceVersion?: string;
}

/** autoscaling/v1 Scale of a Deployment row. */
export function toScale(row: ObjectRow): KubeObject {
  const object = row.object as { metadata: JsonObject; spec?: { replicas?: number; selector?: LabelSelector }; status?: { replicas?: number } };
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: row.name,
      namespace: row.namespace,
      uid: row.uid,
      resourceVersion: String(row.resourceVersion),
      creationTimestamp: object.metadata['creationTimestamp'],
    },
    spec: { replicas: object.spec?.replicas ?? 0 },
    status: { replicas: object.status?.replicas ?? 0, selector: selectorString(object.spec?.selector) },
  };
}

function validScale(object: unknown, namespace: string, name: string): ValidScale {
  const result = validateResource(object, { namespace });
  if (!result.ok) throw new InvalidManifest(result.status);
  const value = result.value;
  if (value.kind !== 'Scale') throw new BadRequest(`the kind in the data (${value.kind}) does not match the expected kind (Scale)`);
  if (value.metadata.name !== name) throw new BadRequest(`the name of the object (${value.metadata.name}) does not match the name on the URL (${name})`);
  if (value.metadata.namespace !== namespace) throw new BadRequest('the namespace of the provided object does not match the namespace sent on the request');
  const replicas = (object as { spec?: { replicas?: unknown } }).spec?.replicas;
  if (replicas === undefined) throw new InvalidManifest(invalidStatus({ kind: 'Scale', group: 'autoscaling', name }, [{ type: 'Required', field: 'spec.replicas' }]));
  return { replicas: value.spec.replicas, ...(value.metadata.resourceVersion ? { resourceVersion: value.metadata.resourceVersion } : {}) };
}

function rollbackRevision(body: unknown): number {
  if (body === undefined) return 0;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the rollback options must be a JSON object such as {"toRevision": 2}');
  const toRevision = (body as { toRevision?: unknown }).toRevision;
  if (toRevision === undefined || toRevision === null) return 0;
  if (typeof toRevision !== 'number' || !Number.isInteger(toRevision) || toRevision < 0) {
    throw new InvalidManifest(invalidStatus({ kind: 'DeploymentRollback', group: 'apps', name: '' }, [{ type: 'Invalid', field: 'toRevision', value: toRevision, detail: 'must be a non-negative integer' }]));
  }
  return toRevision;
}
