import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { InvalidManifest, invalidStatus } from '@berth/contracts';
import { WrongExpectedVersion } from '@berth/event-store';
import { ProjectionBehind } from '@berth/api-read-models';
import { BodyTooLarge, ResourceAlreadyExists, ResourceConflict, ResourceNotFound, Unauthenticated, UnsupportedMediaType } from './api-errors';
import { isServerFault, toStatus } from './status-mapping';

const deployments = { plural: 'deployments', group: 'apps' };

describe('domain errors -> Kubernetes Status', () => {
  it.each([
    [new ResourceNotFound(deployments, 'web'), 404, 'NotFound', 'deployments.apps "web" not found'],
    [new ResourceAlreadyExists(deployments, 'web'), 409, 'AlreadyExists', 'deployments.apps "web" already exists'],
    [new ResourceConflict(deployments, 'web'), 409, 'Conflict', 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again'],
    [new Unauthenticated(), 401, 'Unauthorized', 'Unauthorized'],
    [new UnsupportedMediaType('text/plain', ['application/json']), 415, 'UnsupportedMediaType', 'the body of the request was in an unknown format "text/plain"; accepted media types include: application/json'],
    [new BodyTooLarge(10), 413, 'RequestEntityTooLarge', 'the request body is larger than 10 bytes'],
    [new WrongExpectedVersion('deployment:default/web', 3, 4), 409, 'Conflict', expect.stringContaining('deployment:default/web')],
    [new ProjectionBehind(10, 9), 504, 'Timeout', expect.stringContaining('resourceVersion 10')],
    [new NotFoundException(), 404, 'NotFound', 'the server could not find the requested resource'],
    [new PayloadTooLargeException(), 413, 'RequestEntityTooLarge', 'Payload Too Large'],
    [new Error('boom'), 500, 'InternalError', 'an internal error occurred'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 503, 'ServiceUnavailable', 'the event log (Postgres) is unavailable; retry the request'],
    [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), 503, 'ServiceUnavailable', expect.stringContaining('Postgres')],
    [Object.assign(new Error('syntax error'), { code: '42601' }), 500, 'InternalError', 'an internal error occurred'],
  ])('%s', (error, code, reason, message) => {
    expect(toStatus(error)).toEqual(expect.objectContaining({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }));
  });

  it('passes the Status of an invalid manifest through, and calls only unexpected errors server faults', () => {
    const status = invalidStatus({ kind: 'Deployment', group: 'apps', name: 'web' }, [{ type: 'Required', field: 'spec.selector' }]);
    expect(toStatus(new InvalidManifest(status))).toBe(status);
    expect(isServerFault(new Error('boom'))).toBe(true);
    expect(isServerFault(new ResourceNotFound(deployments, 'x'))).toBe(false);
    expect(isServerFault(new ProjectionBehind(2, 1))).toBe(false);
  });
});
