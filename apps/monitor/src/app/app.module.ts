import { DynamicModule, Module } from '@nestjs/common';
import { controlPlaneSettings } from '@berth/config';
import { ControlPlaneModule } from '@berth/messaging';
import { MonitorConfig } from './app.config';

@Module({})
export class AppModule {
  static forRoot(config: MonitorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ControlPlaneModule.forRoot(controlPlaneSettings('monitor', config, config.RELAY_ENABLED))],
    };
  }
}
