import { bootstrapService } from '@berth/service-kit';
import { loadMonitorConfig } from './app/app.config';
import { AppModule } from './app/app.module';

// The monitor's NATS handlers subscribe on the shared connection (plain JSON payloads of the
// node protocol), so Nest's own NATS transport is not started.
void bootstrapService({
  name: 'monitor',
  plan: () => {
    const config = loadMonitorConfig();
    return { module: AppModule.forRoot(config), port: config.PORT };
  },
});
