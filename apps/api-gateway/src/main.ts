import { readFileSync } from 'node:fs';
import { natsSettings } from '@berth/config';
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
      ...(config.TLS_CERT_FILE && config.TLS_KEY_FILE ? { https: { cert: readFileSync(config.TLS_CERT_FILE), key: readFileSync(config.TLS_KEY_FILE) } } : {}),
      nats: natsTransportOptions(natsSettings(config, 'berth-api-gateway'), QueueGroups.gateway),
    };
  },
});
