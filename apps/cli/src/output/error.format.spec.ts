import { statusFor } from '@berth/contracts';
import { ApiError, ConnectionError } from '../client/api.errors';
import { CliError } from '../commands/cli.errors';
import { formatError } from './error.format';

describe('formatError', () => {
  it('prints a server Status like kubectl', () => {
    expect(formatError(new ApiError(statusFor(404, 'NotFound', 'deployments.apps "web" not found')), true)).toBe(
      'Error from server (NotFound): deployments.apps "web" not found',
    );
  });
  it('hints at the token on 401: none set, or one the server did not accept', () => {
    const unauthorized = new ApiError(statusFor(401, 'Unauthorized', 'Unauthorized'));
    expect(formatError(unauthorized, false)).toContain('hint: no token is set');
    expect(formatError(unauthorized, true)).toContain('hint: the server did not accept the token');
    expect(formatError(new ApiError(statusFor(403, 'Forbidden', 'no')), true)).not.toContain('hint');
  });
  it('names the server when the connection is refused, and other connection problems', () => {
    expect(formatError(new ConnectionError('http://127.0.0.1:9', 'ECONNREFUSED', 'connect ECONNREFUSED'), false)).toMatch(
      /^The connection to the server 127\.0\.0\.1:9 was refused - is the Berth API server running at http:\/\/127\.0\.0\.1:9\?/,
    );
    expect(formatError(new ConnectionError('http://nowhere.invalid', 'ENOTFOUND', 'getaddrinfo'), false)).toBe(
      'Unable to connect to the server http://nowhere.invalid: the host nowhere.invalid could not be resolved',
    );
  });
  it('prefixes other errors with error:', () => {
    expect(formatError(new CliError('bad flag'), false)).toBe('error: bad flag');
    expect(formatError(new DOMException('x', 'TimeoutError'), false)).toBe('error: timed out waiting for the condition');
  });
});
