import { labelSelectorSchema, matchesLabels, matchesLabelSelector } from './label-selector.schema';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front' };

  it.each([
    [{}, true],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'db' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['front', 'back'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['back'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn' as const, values: ['back'] }] }, true],
    [{ matchExpressions: [{ key: 'zone', operator: 'NotIn' as const, values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'zone', operator: 'Exists' as const }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' as const }] }, true],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'app', operator: 'DoesNotExist' as const }] }, false],
  ])('%j matches app=web,tier=front: %p', (selector, expected) => {
    expect(matchesLabelSelector(labelSelectorSchema.parse(selector), labels)).toBe(expected);
  });

  it('matches equality selectors (Service.spec.selector)', () => {
    expect(matchesLabels({ app: 'web' }, labels)).toBe(true);
    expect(matchesLabels({ app: 'web', tier: 'back' }, labels)).toBe(false);
    expect(matchesLabels({}, {})).toBe(true);
  });
});
