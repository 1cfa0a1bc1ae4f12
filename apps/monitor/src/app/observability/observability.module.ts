import { Module } from '@nestjs/common';
import { MonitorMetrics } from './monitor-metrics';
import { ReplicaPhasesService } from './replica-phases.service';

@Module({
  providers: [MonitorMetrics, ReplicaPhasesService],
  exports: [MonitorMetrics, ReplicaPhasesService],
})
export class ObservabilityModule {}
