import { ApiClient, statusFromBody } from './api.client';

describe('statusFromBody', () => {
  it('keeps a contract Status as is', () => {
    const body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'deployments.apps "web" not found', reason: 'NotFound', code: 404, details: { name: 'web', kind: 'deployments' } };
    expect(statusFromBody(404, JSON.stringify(body))).toEqual(body);
  });
  it('keeps the message of a body that only looks like a Status', () => {
    const status = statusFromBody(403, JSON.stringify({ kind: 'Status', message: 'forbidden: edit cannot delete nodes', reason: 'Forbidden' }));
    expect(status).toMatchObject({ code: 403, reason: 'Forbidden', message: 'forbidden: edit cannot delete nodes' });
  });
  it('turns other bodies into kubectl-style messages', () => {
    expect(statusFromBody(502, '<html>Bad Gateway</html>')).toMatchObject({
      code: 502,
      reason: 'InternalError',
      message: 'an error on the server ("<html>Bad Gateway</html>") has prevented the request from succeeding',
    });
    expect(statusFromBody(404, '')).toMatchObject({ reason: 'NotFound', message: 'the server could not find the requested resource' });
    expect(statusFromBody(503, '{"error":"down"}')).toMatchObject({ reason: 'ServiceUnavailable' });
  });
});

describe('ApiClient.url', () => {
  it('joins the server (with any path prefix) and encodes the query, skipping unset values', () => {
    const client = new ApiClient({ server: 'http://127.0.0.1:8080/berth/' });
    expect(client.url('/api/v1/pods', { labelSelector: 'app=web,tier in (a,b)', limit: 500, continue: undefined })).toBe(
      'http://127.0.0.1:8080/berth/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&limit=500',
    );
  });
});
