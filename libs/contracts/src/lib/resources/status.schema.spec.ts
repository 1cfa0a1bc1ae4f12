import { InvalidManifest } from './invalid-manifest.error';
import { invalidStatus, reasonForCode, statusFor, statusSchema } from './status.schema';

describe('Status bodies', () => {
  it('builds a Kubernetes Status that its own schema accepts', () => {
    const status = statusFor(404, 'NotFound', 'deployments.apps "web" not found', { name: 'web', group: 'apps', kind: 'deployments' });
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "web" not found',
      reason: 'NotFound',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    expect(statusSchema.parse(status)).toEqual(status);
  });

  it('marks codes below 400 as Success', () => {
    expect(statusFor(200, 'NotFound', 'deleted').status).toBe('Success');
  });

  it('words invalid bodies like the API server', () => {
    const status = invalidStatus({ kind: 'Service', name: 'web' }, [
      { type: 'Required', field: 'spec.ports' },
      { type: 'NotSupported', field: 'spec.type', value: 'ExternalName', supported: ['ClusterIP', 'NodePort'] },
      { type: 'TooMany', field: 'metadata.labels', value: 70, detail: 'must have at most 64 items' },
    ]);
    expect(status.code).toBe(422);
    expect(status.message).toBe(
      'Service "web" is invalid: [spec.ports: Required value, spec.type: Unsupported value: "ExternalName": supported values: "ClusterIP", "NodePort", metadata.labels: Too many: 70: must have at most 64 items]',
    );
    expect(status.details).toEqual({
      name: 'web',
      kind: 'Service',
      causes: [
        { reason: 'FieldValueRequired', message: 'spec.ports: Required value', field: 'spec.ports' },
        { reason: 'FieldValueNotSupported', message: 'spec.type: Unsupported value: "ExternalName": supported values: "ClusterIP", "NodePort"', field: 'spec.type' },
        { reason: 'FieldValueTooMany', message: 'metadata.labels: Too many: 70: must have at most 64 items', field: 'metadata.labels' },
      ],
    });
    expect(statusSchema.safeParse(status).success).toBe(true);
  });

  it('truncates huge bad values in messages', () => {
    const status = invalidStatus({ kind: 'Namespace', group: '', name: 'x' }, [{ type: 'Invalid', field: 'metadata.name', value: 'a'.repeat(5000), detail: 'too long' }]);
    expect(status.message.length).toBeLessThan(1200);
    expect(status.message).toContain('...(truncated)');
  });

  it('carries the Status in the InvalidManifest domain error', () => {
    const status = statusFor(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    const error = new InvalidManifest(status);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidManifest');
    expect(error.message).toBe('Request entity too large: limit is 3145728');
    expect(error.status).toBe(status);
  });
});

describe('reasonForCode', () => {
  it('maps known codes like Kubernetes and falls back by class', () => {
    expect(reasonForCode(422)).toBe('Invalid');
    expect(reasonForCode(503)).toBe('ServiceUnavailable');
    expect(reasonForCode(418)).toBe('BadRequest');
    expect(reasonForCode(502)).toBe('InternalError');
    expect(reasonForCode(418, 'InternalError')).toBe('InternalError');
  });
});
