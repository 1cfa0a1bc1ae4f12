import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { isServerFault, toStatus } from './status-mapping';

/** The one place errors become HTTP: every failure is answered with a Kubernetes Status body. */
@Catch()
export class StatusExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(StatusExceptionFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = toStatus(error);
    if (isServerFault(error)) {
      this.logger.error({ msg: 'request failed', error: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined });
    }
    if (response.headersSent) {
      // A stream (watch, logs) failed after it began: all that can be done is to end it.
      response.end();
      return;
    }
    // Unavailable is temporary: tell clients when to come back, as the Kubernetes API server does.
    if (status.code === 503) response.setHeader('Retry-After', '1');
    response.status(status.code).json(status);
  }
}
