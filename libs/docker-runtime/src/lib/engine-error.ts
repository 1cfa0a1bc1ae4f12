import { ContainerNotFound, RuntimeUnavailable } from './runtime.errors';

/** The shape docker-modem gives its errors. */
interface ModemError {
  statusCode?: number;
  json?: unknown;
  code?: string;
  message?: string;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export function engineStatus(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as ModemError).statusCode : undefined;
}

/** The engine's own message, without docker-modem's "(HTTP code 500) server error - " prefix. */
export function engineMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { json, message } = error as ModemError;
  if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  return (message ?? String(error)).replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

export function isEngineUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || engineStatus(error) !== undefined) return false;
  const code = (error as ModemError).code;
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

/** Common translations: a missing container and an unreachable engine; anything else is returned as is. */
export function translateEngineError(error: unknown, containerId?: string): unknown {
  if (isEngineUnreachable(error)) return new RuntimeUnavailable(`container engine unreachable: ${engineMessage(error)}`, engineMessage(error));
  if (containerId !== undefined && engineStatus(error) === 404) return new ContainerNotFound(containerId, engineMessage(error));
  return error;
}
