import { formatLabels, formatLabelSelector } from './labels.format';

describe('label formatting', () => {
  it('prints labels sorted, <none> when empty', () => {
    expect(formatLabels({ tier: 'front', app: 'web' })).toBe('app=web,tier=front');
    expect(formatLabels(undefined)).toBe('<none>');
  });
  it('prints selectors in query syntax', () => {
    expect(
      formatLabelSelector({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'team', operator: 'Exists' },
        ],
      }),
    ).toBe('app=web,tier in (a,b),env notin (dev),!canary,team');
    expect(formatLabelSelector({})).toBe('<none>');
  });
});
