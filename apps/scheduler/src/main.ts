import { natsSettings } from '@berth/config';
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
        natsSettings(config, 'berth-scheduler'),
        QueueGroups.scheduler,
      ),
    };
  },
});
