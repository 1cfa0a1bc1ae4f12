import { Controller, DynamicModule, Get, Global, Inject, Injectable, Module, Res, Type } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, TerminusModule } from '@nestjs/terminus';
import type { Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export const SERVICE_OPTIONS = Symbol('SERVICE_OPTIONS');
export const READINESS_INDICATORS = Symbol('READINESS_INDICATORS');

export interface ReadinessIndicator {
  check(): Promise<HealthIndicatorResult>;
}

export interface ServiceKitOptions {
  /** Service name: log field `service`, metric label and prefix. */
  name: string;
  logLevel?: string;
  /** Providers whose `check()` decides readiness (Postgres, NATS, ...). */
  readiness?: Type<ReadinessIndicator>[];
}

/** The Prometheus registry of this process; features register their own metrics on it. */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(@Inject(SERVICE_OPTIONS) options: ServiceKitOptions) {
    this.registry.setDefaultLabels({ service: options.name });
    collectDefaultMetrics({ register: this.registry, prefix: 'berth_' });
    new Gauge({ name: 'berth_service_info', help: 'Berth service, always 1', registers: [this.registry], labelNames: ['version'] })
      .labels(process.env['npm_package_version'] ?? '0.1.0')
      .set(1);
  }
}

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_INDICATORS) private readonly indicators: ReadinessIndicator[],
  ) {}

  /** Liveness: the process answers. Restarting it would not help a dependency that is down. */
  @Get('healthz/live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: every dependency this service needs answers. */
  @Get(['healthz', 'healthz/ready'])
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.indicators.map((indicator) => () => indicator.check()));
  }
}

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get('metrics')
  async metricsText(@Res() response: Response): Promise<void> {
    response.setHeader('Content-Type', this.metrics.registry.contentType);
    response.send(await this.metrics.registry.metrics());
  }
}

/** Structured JSON logs, /healthz, /metrics: what every Berth service has. */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const readiness = options.readiness ?? [];
    return {
      module: ServiceKitModule,
      imports: [
        TerminusModule,
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.logLevel ?? 'info',
            base: { service: options.name },
            autoLogging: { ignore: (req) => ['/healthz', '/healthz/live', '/healthz/ready', '/metrics'].includes(req.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_OPTIONS, useValue: options },
        MetricsRegistry,
        { provide: READINESS_INDICATORS, useFactory: (...indicators: ReadinessIndicator[]) => indicators, inject: readiness },
      ],
      exports: [MetricsRegistry, SERVICE_OPTIONS],
    };
  }
}
