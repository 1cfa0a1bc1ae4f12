import { Inject, Injectable } from '@nestjs/common';
import { FieldError, InvalidManifest, invalidStatus } from '@berth/contracts';
import { JsonObject, ObjectRow } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { SERVICES } from '../resources/api-kinds';
import { ManifestCrud } from '../resources/manifest-crud';
import { ManifestKind, ManifestResources } from '../resources/manifest-resources.service';
import { ObjectReads } from '../resources/object-reads.service';
import { serviceKind, UsedPorts } from './service.kind';

@Injectable()
export class ServicesService extends ManifestCrud {
  readonly kind: ManifestKind;

  constructor(reads: ObjectReads, resources: ManifestResources, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super(reads, resources, config);
    this.kind = serviceKind(
      (except, manifest) => this.usedPorts(except, manifest),
      (manifest, errors: FieldError[]) =>
        new InvalidManifest(invalidStatus({ kind: 'Service', name: String((manifest['metadata'] as JsonObject | undefined)?.['name'] ?? '') }, errors)),
    );
  }

  /** Node ports and cluster ports held by every other service of the cluster. */
  private async usedPorts(except: ObjectRow | undefined, manifest: JsonObject): Promise<UsedPorts> {
    const meta = manifest['metadata'] as { name?: string; namespace?: string };
    const all = await this.reads.list(SERVICES, undefined, { fields: [], limit: 0, watch: false });
    const nodePorts = new Set<number>();
    const clusterPorts = new Set<number>();
    for (const service of all.items) {
      const m = service['metadata'] as { name: string; namespace: string };
      if ((except && m.name === except.name && m.namespace === except.namespace) || (m.name === meta.name && m.namespace === meta.namespace)) continue;
      const ports = ((service['spec'] as JsonObject | undefined)?.['ports'] as { nodePort?: number; clusterPort?: number }[] | undefined) ?? [];
      for (const port of ports) {
        if (port.nodePort) nodePorts.add(port.nodePort);
        if (port.clusterPort) clusterPorts.add(port.clusterPort);
      }
    }
    return { nodePorts, clusterPorts };
  }
}
