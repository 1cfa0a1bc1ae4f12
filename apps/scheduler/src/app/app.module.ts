import { DynamicModule, Module } from '@nestjs/common';
import { controlPlaneSettings } from '@berth/config';
import { ControlPlaneModule } from '@berth/messaging';
import { SchedulerConfig } from './app.config';

@Module({})
export class AppModule {
  static forRoot(config: SchedulerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ControlPlaneModule.forRoot(controlPlaneSettings('scheduler', config, false))],
    };
  }
}
