import { QueueGroups } from '@berth/contracts';
import { natsTransportOptions } from '@berth/messaging';
import { bootstrapService } from '@berth/service-kit';
import { loadSchedulerConfig } from './app/app.config';
import { AppModule } from './app/app.module';

void bootstrapService({
  name: 'scheduler',
  plan: () => {
    const config = loadSchedulerConfig();
    return {
      module: AppModule.forRoot(config),
      port: config.PORT,
      nats: natsTransportOptions(
        { url: config.NATS_URL, name: 'berth-scheduler', user: config.NATS_USER, password: config.NATS_PASSWORD },
        QueueGroups.scheduler,
      ),
    };
  },
});
