import { natsSettings } from '@berth/config';
import { QueueGroups } from '@berth/contracts';
import { natsTransportOptions } from '@berth/messaging';
import { bootstrapService } from '@berth/service-kit';
import { loadAutoscalerConfig } from './app/app.config';
import { AppModule } from './app/app.module';

void bootstrapService({
  name: 'autoscaler',
  plan: () => {
    const config = loadAutoscalerConfig();
    return {
      module: AppModule.forRoot(config),
      port: config.PORT,
      nats: natsTransportOptions(
        natsSettings(config, 'berth-autoscaler'),
        QueueGroups.autoscaler,
      ),
    };
  },
});
