import { DynamicModule, Module } from '@nestjs/common';
import { controlPlaneSettings } from '@berth/config';
import { ControlPlaneModule } from '@berth/messaging';
import { GatewayConfig } from './app.config';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ControlPlaneModule.forRoot(controlPlaneSettings('api-gateway', config, config.RELAY_ENABLED))],
    };
  }
}
