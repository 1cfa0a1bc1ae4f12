import { bootstrapService } from '@berth/service-kit';
import { configSource, loadNodeAgentConfig } from './app/app.config';
import { AppModule } from './app/app.module';

void bootstrapService({
  name: 'node-agent',
  plan: () => {
    const config = loadNodeAgentConfig(configSource(process.argv.slice(2), process.env));
    // No Nest NATS transport: every node subject is subscribed per node (hollow mode hosts many) on the one connection.
    return { module: AppModule.forRoot(config), port: config.PORT };
  },
});
