import { Inject, Injectable } from '@nestjs/common';
import { streamIds } from '@berth/contracts';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { HPAS } from '../resources/api-kinds';
import { ManifestCrud } from '../resources/manifest-crud';
import { ManifestKind, ManifestResources } from '../resources/manifest-resources.service';
import { ObjectReads } from '../resources/object-reads.service';

export const HPA_KIND: ManifestKind = {
  api: HPAS,
  streamId: (namespace, name) => streamIds.hpa(namespace ?? '', name),
  events: { created: 'HorizontalPodAutoscalerCreated', updated: 'HorizontalPodAutoscalerUpdated', deleted: 'HorizontalPodAutoscalerDeleted' },
};

@Injectable()
export class HpasService extends ManifestCrud {
  readonly kind = HPA_KIND;

  constructor(reads: ObjectReads, resources: ManifestResources, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super(reads, resources, config);
  }
}
