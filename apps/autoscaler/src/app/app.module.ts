import { DynamicModule, Module } from '@nestjs/common';
import { controlPlaneSettings } from '@berth/config';
import { ControlPlaneModule } from '@berth/messaging';
import { AUTOSCALER_CONFIG, AutoscalerConfig } from './app.config';
import { AutoscalerService } from './runtime/autoscaler.service';

@Module({})
export class AppModule {
  static forRoot(config: AutoscalerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ControlPlaneModule.forRoot(controlPlaneSettings('autoscaler', config, false))],
      providers: [{ provide: AUTOSCALER_CONFIG, useValue: config }, AutoscalerService],
    };
  }
}
