import { DESCRIBE_LAYOUT, formatTable, formatTabbed, TABLE_LAYOUT } from './tab-writer';

describe('formatTable (kubectl tables)', () => {
  it('pads every column but the last to the widest cell plus 3, at least 6', () => {
    const text = formatTable([
      ['NAME', 'READY', 'AGE'],
      ['web', '3/3', '5m'],
      ['a-longer-name', '0/1', '10s'],
    ]);
    expect(text).toBe(['NAME            READY   AGE', 'web             3/3     5m', 'a-longer-name   0/1     10s', ''].join('\n'));
  });

  it('never pads a column narrower than the minimum width', () => {
    expect(formatTable([['A', 'B'], ['x', 'y']])).toBe('A     B\nx     y\n');
  });

  it('keeps columns at least as wide as earlier output when widths are remembered', () => {
    const remembered: number[] = [];
    const first = formatTable([['NAME', 'AGE'], ['a-long-name', '1s']], { ...TABLE_LAYOUT, remembered });
    const later = formatTable([['b', '2s']], { ...TABLE_LAYOUT, remembered });
    expect(first.split('\n')[1].indexOf('1s')).toBe(later.indexOf('2s'));
  });

  it('prints nothing for no rows', () => {
    expect(formatTable([])).toBe('');
  });
});

describe('formatTabbed (kubectl describe)', () => {
  it('aligns a column over consecutive lines only: a line without tabs ends the block', () => {
    const text = formatTabbed('Name:\tweb\nRollingUpdateStrategy:\t25%\nPod Template:\n  Labels:\tapp=web\n', DESCRIBE_LAYOUT);
    expect(text).toBe(['Name:                   web', 'RollingUpdateStrategy:  25%', 'Pod Template:', '  Labels:  app=web', ''].join('\n'));
  });

  it('aligns nested columns inside the block of their own column', () => {
    const text = formatTabbed('Port:\t<unset>\t80/TCP\nTargetPort:\t80/TCP\nNodePort:\t<unset>\t30080/TCP\n', DESCRIBE_LAYOUT);
    expect(text.split('\n')).toEqual(['Port:        <unset>  80/TCP', 'TargetPort:  80/TCP', 'NodePort:    <unset>  30080/TCP', '']);
  });
});
