import { Inject, Injectable } from '@nestjs/common';
import { FieldError, InvalidManifest, invalidStatus } from '@berth/contracts';
import { JsonObject, ObjectRow } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { SERVICES } from '../resources/api-kinds';
import { ManifestCrud } from '../resources/manifest-crud';
import { ManifestKind, ManifestResources } from '../resources/manifest-resources.service';
import { ObjectReads } from '../resources/object-reads.service';
import { serviceKind } from './service.kind';

@Injectable()
export class ServicesService extends ManifestCrud {
  readonly kind: ManifestKind;

  constructor(reads: ObjectReads, resources: ManifestResources, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super(reads, resources, config);
    this.kind = serviceKind(
      (except, manifest) => this.usedNodePorts(except, manifest),
      (manifest, errors: FieldError[]) =>
        new InvalidManifest(invalidStatus({ kind: 'Service', name: String((manifest['metadata'] as JsonObject | undefined)?.['name'] ?? '') }, errors)),
    );
  }

  /** Node ports held by every other service of the cluster. */
  private async usedNodePorts(except: ObjectRow | undefined, manifest: JsonObject): Promise<Set<number>> {
    const meta = manifest['metadata'] as { name?: string; namespace?: string };
    const all = await this.reads.list(SERVICES, undefined, { fields: [], limit: 0, watch: false });
    const used = new Set<number>();
    for (const service of all.items) {
      const m = service['metadata'] as { name: string; namespace: string };
      if ((except && m.name === except.name && m.namespace === except.namespace) || (m.name === meta.name && m.namespace === meta.namespace)) continue;
      const ports = ((service['spec'] as JsonObject | undefined)?.['ports'] as { nodePort?: number }[] | undefined) ?? [];
      for (const port of ports) if (port.nodePort) used.add(port.nodePort);
    }
    return used;
  }
}
