import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { ResourceMetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({ imports: [ResourcesModule], controllers: [ResourceMetricsController], providers: [MetricsService], exports: [] })
export class ResourceMetricsModule {}
