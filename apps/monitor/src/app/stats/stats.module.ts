import { Module } from '@nestjs/common';
import { ObservabilityModule } from '../observability/observability.module';
import { MetricsQueryHandler } from './metrics-query.handler';
import { StatsHandler } from './stats.handler';
import { StatsService } from './stats.service';

@Module({
  imports: [ObservabilityModule],
  providers: [StatsService, StatsHandler, MetricsQueryHandler],
  exports: [StatsService],
})
export class StatsModule {}
