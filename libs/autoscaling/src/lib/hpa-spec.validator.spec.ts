import { validateHpaSpec } from './hpa-spec.validator';
import { hpaSpec, podsMetric } from './testing/hpa.fixtures';

describe('validateHpaSpec', () => {
  it('accepts a typical spec', () => {
    expect(validateHpaSpec(hpaSpec())).toEqual([]);
  });

  it('names each rejected field by path', () => {
    const errors = validateHpaSpec(
      hpaSpec({
        minReplicas: 0,
        maxReplicas: 0,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } },
          podsMetric('rps', '-1'),
          { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'Value', value: 1 } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 4000, policies: [{ type: 'Percent', value: 0, periodSeconds: 1801 }] } },
      }),
    );
    expect(errors.map((e) => e.field)).toEqual([
      'spec.minReplicas',
      'spec.maxReplicas',
      'spec.metrics[0].resource.target.averageUtilization',
      'spec.metrics[1].pods.target.averageValue',
      'spec.metrics[2].pods.target.type',
      'spec.behavior.scaleDown.stabilizationWindowSeconds',
      'spec.behavior.scaleDown.policies[0].value',
      'spec.behavior.scaleDown.policies[0].periodSeconds',
    ]);
  });

  it('requires at least one policy when policies are listed', () => {
    expect(validateHpaSpec(hpaSpec({ behavior: { scaleUp: { policies: [] } } }))).toEqual([
      { field: 'spec.behavior.scaleUp.policies', message: 'Required value: must specify at least one Policy' },
    ]);
  });

  it('forbids a Resource target with both a raw value and a utilization', () => {
    const errors = validateHpaSpec(
      hpaSpec({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50, averageValue: '100m' } } }] }),
    );
    expect(errors).toContainEqual({ field: 'spec.metrics[0].resource.target', message: 'Forbidden: may not set both a target raw value and a target utilization' });
  });

  it('allows minReplicas 0 only behind the scale-to-zero option and with an Object or External metric', () => {
    const external = hpaSpec({ minReplicas: 0, metrics: [{ type: 'External', external: { metric: { name: 'q' }, target: { type: 'Value', value: 5 } } }] });
    expect(validateHpaSpec(external)).toHaveLength(1);
    expect(validateHpaSpec(external, { allowScaleToZero: true })).toEqual([]);
  });
});
