import { DynamicModule, Module } from '@nestjs/common';
import { controlPlaneSettings } from '@berth/config';
import { ControlPlaneModule } from '@berth/messaging';
import { SCHEDULER_CONFIG, SchedulerConfig } from './app.config';
import { SchedulerService } from './runtime/scheduler.service';
import { NodeServicesService } from './services/node-services.service';

@Module({})
export class AppModule {
  static forRoot(config: SchedulerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ControlPlaneModule.forRoot(controlPlaneSettings('scheduler', config, false))],
      providers: [{ provide: SCHEDULER_CONFIG, useValue: config }, SchedulerService, NodeServicesService],
    };
  }
}
