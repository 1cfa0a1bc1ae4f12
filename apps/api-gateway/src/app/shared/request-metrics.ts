import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { Gauge, Histogram } from 'prom-client';
import { ChangeFeed, ProjectionPump } from '@berth/api-read-models';
import { MetricsRegistry } from '@berth/service-kit';

/**
 * Prometheus metrics of the API on the service's /metrics: request durations by method, route
 * and status; open watches; the log position the read models have reached.
 */
@Injectable()
export class RequestMetrics {
  constructor(adapterHost: HttpAdapterHost, metrics: MetricsRegistry, feed: ChangeFeed, pump: ProjectionPump) {
    const registers = [metrics.registry];
    const duration = new Histogram({
      name: 'berth_api_request_duration_seconds',
      help: 'API requests by method, route and status code (streams: until the stream ends)',
      labelNames: ['method', 'route', 'code'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
      registers,
    });
    const watches = new Gauge({ name: 'berth_api_watches', help: 'Open watch streams', registers });
    new Gauge({
      name: 'berth_api_read_model_position',
      help: 'Log position the API read models have reached',
      registers,
      collect() {
        this.set(pump.position);
        watches.set(feed.watchers);
      },
    });
    adapterHost.httpAdapter?.use(function requestMetrics(request: Request, response: Response, next: NextFunction) {
      const end = duration.startTimer();
      response.once('finish', () => {
        const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
        end({ method: request.method, route, code: String(response.statusCode) });
      });
      next();
    });
  }
}
