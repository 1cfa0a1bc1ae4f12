import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { Access } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { KubeObject } from '../shared/api-reply';
import { MetricsList, MetricsService } from './metrics.service';

const BASE = 'apis/metrics.k8s.io/v1beta1';
const GROUP = 'metrics.k8s.io';

@Controller()
@UseGuards(AccessGuard)
export class ResourceMetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get(`${BASE}/nodes`)
  @Access('list', 'nodes', GROUP, { clusterScoped: true })
  nodes(): Promise<MetricsList> {
    return this.metrics.nodes();
  }

  @Get(`${BASE}/nodes/:name`)
  @Access('get', 'nodes', GROUP, { clusterScoped: true })
  node(@Param('name') name: string): Promise<KubeObject> {
    return this.metrics.node(name);
  }

  @Get(`${BASE}/pods`)
  @Access('list', 'pods', GROUP)
  allPods(@Query('labelSelector') labelSelector?: string): Promise<MetricsList> {
    return this.metrics.pods(undefined, { labelSelector });
  }

  @Get(`${BASE}/namespaces/:namespace/pods`)
  @Access('list', 'pods', GROUP)
  pods(@Param('namespace') namespace: string, @Query('labelSelector') labelSelector?: string): Promise<MetricsList> {
    return this.metrics.pods(namespace, { labelSelector });
  }

  @Get(`${BASE}/namespaces/:namespace/pods/:name`)
  @Access('get', 'pods', GROUP)
  pod(@Param('namespace') namespace: string, @Param('name') name: string): Promise<KubeObject> {
    return this.metrics.pod(namespace, name);
  }
}
