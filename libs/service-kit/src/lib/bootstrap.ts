import 'reflect-metadata';
import { INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { Logger } from 'nestjs-pino';

export interface ServicePlan {
  /** The root module, built from validated configuration. */
  module: unknown;
  port: number;
  host?: string;
  /** Set: serve HTTPS (certificate and key) instead of HTTP. */
  https?: { cert: Buffer; key: Buffer };
  /** Options of Nest's NATS transport for this service's @MessagePattern/@EventPattern handlers. */
  nats?: Record<string, unknown>;
}

export interface BootstrapOptions {
  name: string;
  /** Validates configuration and plans the service; a bad config throws before anything starts. */
  plan: () => ServicePlan;
}

/**
 * Starts a Berth service: HTTP (health, metrics, API) plus the NATS transport, structured
 * logs, and a clean shutdown on SIGTERM/SIGINT (Nest shutdown hooks close every connection).
 */
export async function bootstrapService(options: BootstrapOptions): Promise<INestApplication> {
  let plan: ServicePlan;
  try {
    plan = options.plan();
  } catch (error) {
    // Configuration errors: one clear line naming the variable, then exit (EX_CONFIG).
    fatal(options.name, 'invalid configuration', error);
    process.exit(78);
  }
  let app: INestApplication;
  try {
    app = await NestFactory.create(plan.module as never, { bufferLogs: true, abortOnError: false, ...(plan.https ? { httpsOptions: plan.https } : {}) });
  } catch (error) {
    fatal(options.name, 'start-up failed', error);
    process.exit(1);
  }
  app.useLogger(app.get(Logger));
  closeOnSignals(app, options.name);
  if (plan.nats) {
    app.connectMicroservice<MicroserviceOptions>({ transport: Transport.NATS, options: plan.nats }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen(plan.port, plan.host ?? '0.0.0.0');
  new NestLogger('bootstrap').log({ msg: 'service started', service: options.name, port: plan.port, protocol: plan.https ? 'https' : 'http' });
  return app;
}

function fatal(service: string, msg: string, error: unknown): void {
  const detail = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', time: Date.now(), service, msg, error: detail })}\n`);
}

/** SIGTERM/SIGINT: run every shutdown hook (connections drained, leases released), then exit 0. */
function closeOnSignals(app: INestApplication, service: string, deadlineMs = 25_000): void {
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    const logger = new NestLogger('shutdown');
    logger.log({ msg: 'shutting down', service, signal });
    const deadline = setTimeout(() => {
      fatal(service, 'shutdown took too long', `${deadlineMs} ms`);
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    app
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        fatal(service, 'shutdown failed', error);
        process.exit(1);
      });
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}
