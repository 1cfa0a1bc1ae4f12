import { QueueGroups } from '@berth/contracts';
import { natsTransportOptions } from '@berth/messaging';
import { bootstrapService } from '@berth/service-kit';
import { loadGatewayConfig } from './app/app.config';
import { AppModule } from './app/app.module';

void bootstrapService({
  name: 'api-gateway',
  plan: () => {
    const config = loadGatewayConfig();
    return {
      module: AppModule.forRoot(config),
      port: config.PORT,
      nats: natsTransportOptions(
        { url: config.NATS_URL, name: 'berth-api-gateway', user: config.NATS_USER, password: config.NATS_PASSWORD },
        QueueGroups.gateway,
      ),
    };
  },
});
