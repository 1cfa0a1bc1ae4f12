import { ApiError, ConnectionError } from '../client/api.errors';
import { CliError } from '../commands/cli.errors';

const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** kubectl-style lines for a failure; never includes the token (only the server URL is named). */
export function formatError(error: unknown, hasToken: boolean): string {
  if (error instanceof ApiError) {
    const reason = error.reason ? ` (${error.reason})` : '';
    let text = `Error from server${reason}: ${error.message}`;
    if (error.code === 401 && !hasToken) text += '\nhint: no token is set; use --token, BERTH_TOKEN or `berth config set token <token>`';
    else if (error.code === 401) text += '\nhint: the server did not accept the token (mistyped, revoked, or made for another cluster); `berth config view --effective` shows where it comes from';
    return text;
  }
  if (error instanceof ConnectionError) {
    const host = hostOf(error.server);
    if (error.errorCode && REFUSED.has(error.errorCode)) {
      return `The connection to the server ${host} was refused - is the Berth API server running at ${error.server}? (set it with --server, BERTH_SERVER or \`berth config set server <url>\`)`;
    }
    if (error.errorCode === 'ENOTFOUND' || error.errorCode === 'EAI_AGAIN') {
      return `Unable to connect to the server ${error.server}: the host ${host} could not be resolved`;
    }
    return `Unable to connect to the server ${error.server}: ${error.message}`;
  }
  if (error instanceof CliError) return `error: ${error.message}`;
  // DOMException (fetch timeouts) is not an Error in every realm: go by name.
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError') return 'error: timed out waiting for the condition';
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

function hostOf(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}
