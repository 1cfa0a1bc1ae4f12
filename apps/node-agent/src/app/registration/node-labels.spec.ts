import { InvalidNodeSetting, parseNodeLabels, parseNodeTaints } from './node-labels';

describe('parseNodeLabels', () => {
  it('reads kubectl-style k=v pairs, trimming blanks and allowing empty values', () => {
    expect(parseNodeLabels(' zone=a , disktype=ssd,example.com/team=,')).toEqual({ zone: 'a', disktype: 'ssd', 'example.com/team': '' });
    expect(parseNodeLabels('')).toEqual({});
  });

  it.each([
    ['zone', /expected key=value/],
    ['Bad Key=x', /key name part/],
    ['zone=has space', /value/],
    ['zone=a,zone=b', /duplicate key/],
    [`k=${'v'.repeat(64)}`, /value must be no more than 63/],
  ])('rejects %s', (text, message) => {
    expect(() => parseNodeLabels(text)).toThrow(InvalidNodeSetting);
    expect(() => parseNodeLabels(text)).toThrow(message);
  });
});

describe('parseNodeTaints', () => {
  it('reads key=value:Effect and key:Effect', () => {
    expect(parseNodeTaints('dedicated=gpu:NoSchedule, example.com/maint:NoExecute')).toEqual([
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'example.com/maint', effect: 'NoExecute' },
    ]);
  });

  it('allows one key with different effects but not the same key and effect twice', () => {
    expect(parseNodeTaints('a:NoSchedule,a:PreferNoSchedule')).toHaveLength(2);
    expect(() => parseNodeTaints('a=1:NoSchedule,a=2:NoSchedule')).toThrow(/duplicate taint a:NoSchedule/);
  });

  it.each([
    ['dedicated=gpu', /expected key\[=value\]:Effect/],
    ['dedicated=gpu:Sometimes', /effect must be one of/],
    ['=gpu:NoSchedule', /key/],
  ])('rejects %s', (text, message) => {
    expect(() => parseNodeTaints(text)).toThrow(message);
  });
});
