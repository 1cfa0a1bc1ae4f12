import { matchesNodeAffinity, matchesNodeSelectorRequirement, matchesNodeSelectorTerm, preferredNodeAffinityScore } from './node-affinity.filter';
import { NodeSelectorOperator } from './types';

describe('node affinity filter', () => {
  const labels = { zone: 'a', gen: '3', disk: 'ssd' };

  it.each<[NodeSelectorOperator, string, string[] | undefined, boolean]>([
    ['In', 'zone', ['a', 'b'], true],
    ['In', 'zone', ['b'], false],
    ['In', 'missing', ['a'], false],
    ['NotIn', 'zone', ['b'], true],
    ['NotIn', 'zone', ['a'], false],
    ['NotIn', 'missing', ['a'], true],
    ['Exists', 'disk', undefined, true],
    ['Exists', 'missing', undefined, false],
    ['DoesNotExist', 'missing', undefined, true],
    ['DoesNotExist', 'disk', undefined, false],
    ['Gt', 'gen', ['2'], true],
    ['Gt', 'gen', ['3'], false],
    ['Lt', 'gen', ['4'], true],
    ['Lt', 'gen', ['3'], false],
    ['Gt', 'zone', ['1'], false],
    ['Gt', 'missing', ['1'], false],
    ['Gt', 'gen', ['1', '2'], false],
  ])('%s %s %j -> %s', (operator, key, values, expected) => {
    expect(matchesNodeSelectorRequirement({ key, operator, values }, labels)).toBe(expected);
  });

  it('treats an empty term as matching nothing', () => {
    expect(matchesNodeSelectorTerm({}, labels)).toBe(false);
    expect(matchesNodeSelectorTerm({ matchExpressions: [] }, labels)).toBe(false);
  });

  it('ANDs nodeSelector with the required terms, which are ORed', () => {
    const replica = {
      nodeSelector: { disk: 'ssd' },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['b'] }] },
              { matchExpressions: [{ key: 'gen', operator: 'Gt' as const, values: ['2'] }] },
            ],
          },
        },
      },
    };
    expect(matchesNodeAffinity(replica, labels)).toBe(true);
    expect(matchesNodeAffinity(replica, { ...labels, gen: '1' })).toBe(false);
    expect(matchesNodeAffinity(replica, { ...labels, disk: 'hdd' })).toBe(false);
    expect(matchesNodeAffinity({ nodeSelector: { disk: 'ssd' } }, undefined)).toBe(false);
    expect(matchesNodeAffinity({}, undefined)).toBe(true);
  });

  it('sums the weights of matched preferred terms', () => {
    const replica = {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['a'] }] } },
            { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' as const }] } },
            { weight: 7, preference: { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['b'] }] } },
          ],
        },
      },
    };
    expect(preferredNodeAffinityScore(replica, labels)).toBe(15);
    expect(preferredNodeAffinityScore({}, labels)).toBe(0);
  });
});
