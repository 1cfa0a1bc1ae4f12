import { Module } from '@nestjs/common';
import { ObservabilityModule } from '../observability/observability.module';
import { HeartbeatHandler } from './heartbeat.handler';
import { LivenessService } from './liveness.service';

@Module({
  imports: [ObservabilityModule],
  providers: [LivenessService, HeartbeatHandler],
  exports: [LivenessService],
})
export class LivenessModule {}
