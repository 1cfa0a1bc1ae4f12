import { countUntoleratedPreferNoSchedule, findUntoleratedTaint, toleratesTaint } from './taint-toleration.filter';
import { Taint } from './types';

describe('taint toleration filter', () => {
  const dedicated: Taint = { key: 'dedicated', value: 'batch', effect: 'NoSchedule' };

  it('matches key, value and effect with Equal', () => {
    expect(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }, dedicated)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', value: 'batch' }, dedicated)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'web' }, dedicated)).toBe(false);
    expect(toleratesTaint({ key: 'dedicated', value: 'batch', effect: 'NoExecute' }, dedicated)).toBe(false);
    expect(toleratesTaint({ key: 'other', value: 'batch' }, dedicated)).toBe(false);
  });

  it('matches any value with Exists, and every taint with an empty-key Exists', () => {
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, dedicated)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists' }, dedicated)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists', effect: 'NoExecute' }, dedicated)).toBe(false);
  });

  it('compares an absent taint value as empty', () => {
    expect(toleratesTaint({ key: 'gpu', operator: 'Equal' }, { key: 'gpu', effect: 'NoSchedule' })).toBe(true);
    expect(toleratesTaint({ key: 'gpu', value: 'x' }, { key: 'gpu', effect: 'NoSchedule' })).toBe(false);
  });

  it('reports the first untolerated NoSchedule/NoExecute taint and ignores PreferNoSchedule', () => {
    const taints: Taint[] = [{ key: 'spot', effect: 'PreferNoSchedule' }, dedicated, { key: 'gpu', effect: 'NoExecute' }];
    expect(findUntoleratedTaint(taints, [])).toEqual(dedicated);
    expect(findUntoleratedTaint(taints, [{ key: 'dedicated', operator: 'Exists' }])).toEqual({ key: 'gpu', effect: 'NoExecute' });
    expect(findUntoleratedTaint(taints, [{ operator: 'Exists' }])).toBeUndefined();
    expect(findUntoleratedTaint(undefined, undefined)).toBeUndefined();
  });

  it('counts untolerated PreferNoSchedule taints for scoring', () => {
    const taints: Taint[] = [
      { key: 'spot', effect: 'PreferNoSchedule' },
      { key: 'old', effect: 'PreferNoSchedule' },
      dedicated,
    ];
    expect(countUntoleratedPreferNoSchedule(taints, [])).toBe(2);
    expect(countUntoleratedPreferNoSchedule(taints, [{ key: 'spot', operator: 'Exists' }])).toBe(1);
  });
});
