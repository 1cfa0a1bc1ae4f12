import { matchesLabelSelector } from './label-selector';

describe('matchesLabelSelector', () => {
  const labels = { app: 'web', tier: 'front' };

  it('selects nothing when the selector is absent and everything when it is empty', () => {
    expect(matchesLabelSelector(undefined, labels)).toBe(false);
    expect(matchesLabelSelector({}, labels)).toBe(true);
    expect(matchesLabelSelector({}, undefined)).toBe(true);
  });

  it('requires every matchLabels pair', () => {
    expect(matchesLabelSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchLabels: { missing: '' } }, labels)).toBe(false);
  });

  it.each([
    ['In', ['web', 'api'], true],
    ['In', ['api'], false],
    ['NotIn', ['api'], true],
    ['NotIn', ['web'], false],
  ] as const)('%s %j on app=web -> %s', (operator, values, expected) => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'app', operator, values }] }, labels)).toBe(expected);
  });

  it('handles Exists / DoesNotExist and absent keys', () => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['a'] }] }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'x', operator: 'In', values: ['a'] }] }, labels)).toBe(false);
  });

  it('ANDs matchLabels with matchExpressions', () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['back'] }] };
    expect(matchesLabelSelector(selector, labels)).toBe(false);
    expect(matchesLabelSelector(selector, { app: 'web', tier: 'back' })).toBe(true);
  });
});
