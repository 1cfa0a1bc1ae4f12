import { Inject, Injectable } from '@nestjs/common';
import { isDNS1123Label, Status, statusFor, validateResource } from '@berth/contracts';
import { JsonObject } from '@berth/api-read-models';
import { parseManifests } from '@berth/manifests';
import { InvalidManifest } from '@berth/contracts';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { forbiddenMessage, isAllowed } from '../auth/access-policy';
import { DeploymentsService } from '../deployments/deployments.service';
import { HpasService } from '../hpas/hpas.service';
import { NamespacesService } from '../namespaces/namespaces.service';
import { ManifestKind, ManifestResources, Validated, WriteAction } from '../resources/manifest-resources.service';
import { ObjectReads } from '../resources/object-reads.service';
import { ServicesService } from '../services/services.service';
import { AccessDenied, BadRequest } from '../shared/api-errors';
import { ApiReply } from '../shared/api-reply';
import { requireManifestBody } from '../shared/body-decoder';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller } from '../shared/request-context';
import { toStatus } from '../shared/status-mapping';

export interface ApplyItem {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  action: WriteAction | 'failed';
  status?: Status;
  warnings: string[];
}

export interface ApplyResult {
  kind: 'ApplyResult';
  apiVersion: 'v1';
  items: ApplyItem[];
}

function describe(object: Record<string, unknown> | undefined): Pick<ApplyItem, 'kind' | 'apiVersion' | 'namespace' | 'name'> {
  const meta = (typeof object?.['metadata'] === 'object' && object['metadata'] !== null ? object['metadata'] : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    kind: text(object?.['kind']),
    apiVersion: text(object?.['apiVersion']),
    ...(text(meta['namespace']) ? { namespace: text(meta['namespace']) } : {}),
    name: text(meta['name']),
  };
}

/**
 * POST /apply: kubectl-apply semantics on the server. Each object of a multi-document body is
 * created or brought to what the manifest says, in document order; one failing (invalid,
 * forbidden, conflicting) does not stop the others, and nothing is appended for it.
 */
@Injectable()
export class ApplyService {
  private readonly kinds: Map<string, ManifestKind>;

  constructor(
    private readonly resources: ManifestResources,
    private readonly reads: ObjectReads,
    deployments: DeploymentsService,
    services: ServicesService,
    hpas: HpasService,
    namespaces: NamespacesService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.kinds = new Map([namespaces.kind, deployments.kind, services.kind, hpas.kind].map((k) => [`${k.api.apiVersion}/${k.api.kind}`, k]));
  }

  async apply(caller: Caller, body: RequestBody, query: Record<string, string>): Promise<ApiReply<ApplyResult>> {
    const bytes = requireManifestBody(body);
    const namespace = query['namespace'] || undefined;
    if (namespace !== undefined && isDNS1123Label(namespace).length > 0) throw new BadRequest(`namespace ${JSON.stringify(namespace)} is not a valid namespace name`);
    const dryRunParam = query['dryRun'];
    if (dryRunParam !== undefined && dryRunParam !== 'All' && dryRunParam !== '') throw new BadRequest(`dryRun must be "All", not ${JSON.stringify(dryRunParam)}`);
    const parsed = parseManifests(bytes, { maxBytes: this.config.MAX_BODY_BYTES });
    const wholeBody = parsed.errors.find((e) => e.document === undefined);
    if (wholeBody) throw new InvalidManifest(wholeBody.status);
    if (parsed.documents.length === 0) throw new BadRequest('the request body holds no objects');
    if (parsed.documents.every((d) => !d.ok)) {
      const first = parsed.documents[0];
      if (!first.ok) throw new InvalidManifest(first.errors[0].status);
    }
    const items: ApplyItem[] = [];
    // Objects are appended one after another without waiting for the read model to show each (a
    // write's wait is the read model's lag behind the whole log, replica events included); the
    // answer waits once for the last position. A document that depends on an earlier one (the
    // same object again, or any object after a Namespace) waits for what came before it first.
    const written = { position: 0, writes: 0, keys: new Set<string>(), namespaceWritten: false };
    for (const document of parsed.documents) {
      if (!document.ok) {
        items.push({ ...describe(undefined), action: 'failed', status: document.errors[0].status, warnings: [] });
        continue;
      }
      const key = objectKey(document.object, namespace);
      if (written.position > 0 && (written.namespaceWritten || written.keys.has(key))) {
        await this.resources.readable(written.position, written.writes);
        written.namespaceWritten = false;
        written.keys.clear();
        written.writes = 0;
      }
      const item = await this.applyOne(caller, document.object, namespace, dryRunParam === 'All', written);
      if (item.action !== 'failed') {
        written.keys.add(key);
        if (item.kind === 'Namespace') written.namespaceWritten = true;
      }
      items.push(item);
    }
    if (written.position > 0) await this.resources.readable(written.position, written.writes);
    return new ApiReply({ kind: 'ApplyResult', apiVersion: 'v1', items }, items.some((i) => i.action === 'failed') ? 207 : 200);
  }

  private async applyOne(caller: Caller, object: Record<string, unknown>, namespace: string | undefined, dryRun: boolean, written: { position: number; writes: number }): Promise<ApplyItem> {
    const described = describe(object);
    let warnings: string[] = [];
    try {
      const result = validateResource(object, namespace !== undefined ? { namespace } : {});
      if (!result.ok) return { ...described, action: 'failed', status: result.status, warnings };
      warnings = result.warnings;
      const validated = { value: result.value, warnings } as unknown as Validated;
      const value = validated.value;
      const item = { kind: String(value['kind']), apiVersion: String(value['apiVersion']), ...(value.metadata.namespace ? { namespace: value.metadata.namespace } : {}), name: value.metadata.name };
      const kind = this.kinds.get(`${item.apiVersion}/${item.kind}`);
      if (!kind) {
        return { ...item, action: 'failed', status: statusFor(405, 'MethodNotAllowed', `${item.kind} objects are written by Berth itself and cannot be applied`), warnings };
      }
      const row = await this.reads.row(kind.api, item.namespace, item.name);
      const access = {
        verb: !row || row.deleted ? ('create' as const) : ('patch' as const),
        resource: kind.api.plural,
        group: kind.api.group,
        ...(kind.api.namespaced ? { namespace: item.namespace } : { clusterScoped: true }),
        name: item.name,
      };
      if (!isAllowed(caller.grant, access)) throw new AccessDenied(forbiddenMessage(caller.actor, access));
      const outcome = await this.resources.apply(kind, caller, validated, { dryRun, deferRead: true }, object as JsonObject);
      if (outcome.position !== undefined) {
        written.position = Math.max(written.position, outcome.position);
        written.writes++;
      }
      return { ...item, action: outcome.action, warnings };
    } catch (error) {
      return { ...described, ...(described.namespace || !namespace ? {} : { namespace }), action: 'failed', status: toStatus(error), warnings };
    }
  }
}

/** Which object a document names (kind, namespace, name), to tell when a later document depends on it. */
function objectKey(object: Record<string, unknown>, namespace: string | undefined): string {
  const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
  return JSON.stringify([object['apiVersion'], object['kind'], metadata['namespace'] ?? namespace ?? '', metadata['name']]);
}
