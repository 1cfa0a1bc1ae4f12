import { natsTransportOptions } from '@berth/messaging';
import { bootstrapService } from '@berth/service-kit';
import { loadNodeAgentConfig } from './app/app.config';
import { AppModule } from './app/app.module';

void bootstrapService({
  name: 'node-agent',
  plan: () => {
    const config = loadNodeAgentConfig();
    return {
      module: AppModule.forRoot(config),
      port: config.PORT,
      // No queue group: each agent answers only its own node's subjects.
      nats: natsTransportOptions({ url: config.NATS_URL, name: `berth-node-agent-${config.NODE_NAME}`, user: config.NATS_USER, password: config.NATS_PASSWORD }),
    };
  },
});
