import type { Status } from '@berth/contracts';
import { applyItemName, formatApplyError, formatApplyItem } from './apply.command';

describe('apply output', () => {
  it('names objects like kubectl', () => {
    expect(applyItemName({ kind: 'Deployment', apiVersion: 'apps/v1', name: 'web' })).toBe('deployment.apps/web');
    expect(applyItemName({ kind: 'Service', apiVersion: 'v1', name: 'web' })).toBe('service/web');
    expect(applyItemName({ kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', name: 'web' })).toBe('horizontalpodautoscaler.autoscaling/web');
    expect(applyItemName({ kind: 'ConfigMap', apiVersion: 'v1', name: 'c' })).toBe('configmap/c');
    expect(applyItemName({ kind: 'CronJob', apiVersion: 'batch/v1' })).toBe('cronjob.batch/<unnamed>');
  });

  it('prints one line per object with its action', () => {
    expect(formatApplyItem({ kind: 'Deployment', apiVersion: 'apps/v1', name: 'web', action: 'created' }, false)).toBe('deployment.apps/web created\n');
    expect(formatApplyItem({ kind: 'Service', apiVersion: 'v1', name: 'web', action: 'unchanged' }, true)).toBe('service/web unchanged (server dry run)\n');
  });

  it('prints a failed object with the Status message and each bad field', () => {
    const status: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      message: 'Deployment.apps "web" is invalid: [spec.template.spec.containers[0].image: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]',
      details: {
        causes: [
          { reason: 'FieldValueRequired', field: 'spec.template.spec.containers[0].image', message: 'spec.template.spec.containers[0].image: Required value' },
          { reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'must be greater than or equal to 0' },
        ],
      },
    };
    expect(formatApplyError(status, 'web.yaml')).toBe(
      [
        `Error from server (Invalid): error when applying "web.yaml": ${status.message}`,
        '  * spec.template.spec.containers[0].image: Required value',
        '  * spec.replicas: must be greater than or equal to 0',
        '',
      ].join('\n'),
    );
  });

  it('keeps a single-cause error on one line', () => {
    const status: Status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'no', details: { causes: [{ reason: 'FieldValueForbidden', message: 'x' }] } };
    expect(formatApplyError(status, '-')).toBe('Error from server (Forbidden): error when applying "-": no\n');
  });
});
