import { DynamicModule, Module } from '@nestjs/common';
import { controlPlaneSettings } from '@berth/config';
import { ControlPlaneModule } from '@berth/messaging';
import { AutoscalerConfig } from './app.config';

@Module({})
export class AppModule {
  static forRoot(config: AutoscalerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ControlPlaneModule.forRoot(controlPlaneSettings('autoscaler', config, false))],
    };
  }
}
