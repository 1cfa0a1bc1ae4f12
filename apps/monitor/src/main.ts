import { QueueGroups } from '@berth/contracts';
import { natsTransportOptions } from '@berth/messaging';
import { bootstrapService } from '@berth/service-kit';
import { loadMonitorConfig } from './app/app.config';
import { AppModule } from './app/app.module';

void bootstrapService({
  name: 'monitor',
  plan: () => {
    const config = loadMonitorConfig();
    return {
      module: AppModule.forRoot(config),
      port: config.PORT,
      nats: natsTransportOptions(
        { url: config.NATS_URL, name: 'berth-monitor', user: config.NATS_USER, password: config.NATS_PASSWORD },
        QueueGroups.monitor,
      ),
    };
  },
});
