import { Inject, Injectable } from '@nestjs/common';
import { Status, streamIds } from '@berth/contracts';
import { ObjectRow } from '@berth/api-read-models';
import { AppendRequest } from '@berth/event-store';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { DEPLOYMENT_KIND } from '../deployments/deployment.kind';
import { HPA_KIND } from '../hpas/hpas.service';
import { NAMESPACES } from '../resources/api-kinds';
import { ManifestCrud } from '../resources/manifest-crud';
import { ManifestKind, ManifestResources } from '../resources/manifest-resources.service';
import { ObjectReads } from '../resources/object-reads.service';
import { reasonBy } from '../resources/object-writer.service';
import { AccessDenied } from '../shared/api-errors';
import { Caller } from '../shared/request-context';
import { ServicesService } from '../services/services.service';

/** Namespaces that always exist: `default` is created at start and may not be deleted. */
export const PROTECTED_NAMESPACES = ['default'];

@Injectable()
export class NamespacesService extends ManifestCrud {
  readonly kind: ManifestKind;

  constructor(reads: ObjectReads, resources: ManifestResources, services: ServicesService, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super(reads, resources, config);
    const contents = [DEPLOYMENT_KIND, services.kind, HPA_KIND];
    this.kind = {
      api: NAMESPACES,
      streamId: (_namespace, name) => streamIds.namespace(name),
      events: { created: 'NamespaceCreated', updated: 'NamespaceUpdated', deleted: 'NamespaceDeleted' },
      // The objects of a namespace go with it, in the same transaction.
      cascade: async (row: ObjectRow, caller: Caller): Promise<AppendRequest[]> => {
        const requests: AppendRequest[] = [];
        for (const kind of contents) {
          const list = await this.reads.list(kind.api, row.name, { fields: [], limit: 0, watch: false });
          for (const item of list.items) {
            const name = String((item['metadata'] as { name: string }).name);
            requests.push({ streamId: kind.streamId(row.name, name), expected: 'any', events: [{ type: kind.events.deleted, data: { reason: reasonBy('namespace deleted', caller) } }] });
          }
        }
        return requests;
      },
    };
  }

  override delete(caller: Caller, namespace: string | undefined, name: string): Promise<Status> {
    if (PROTECTED_NAMESPACES.includes(name)) throw new AccessDenied(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    return super.delete(caller, namespace, name);
  }
}
