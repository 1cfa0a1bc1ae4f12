import { node } from '../testing/objects.fixture';
import { topNodeRows, topPodRows } from './top.format';

describe('top nodes', () => {
  it('shows usage and its share of allocatable, <unknown> without metrics, sorted on request', () => {
    const nodes = [node('node-1'), node('node-2'), node('node-3')];
    const metrics = [
      { metadata: { name: 'node-1' }, usage: { cpu: '250m', memory: '1Gi' } },
      { metadata: { name: 'node-2' }, usage: { cpu: '2', memory: '512Mi' } },
    ];
    expect(topNodeRows(nodes as never, metrics, 'cpu')).toEqual([
      ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'],
      ['node-2', '2000m', '50%', '512Mi', '6%'],
      ['node-1', '250m', '6%', '1024Mi', '12%'],
      ['node-3', '<unknown>', '<unknown>', '<unknown>', '<unknown>'],
    ]);
  });
});

describe('top pods', () => {
  it('sums containers per pod and adds NAMESPACE for -A', () => {
    const metrics = [
      { metadata: { name: 'a', namespace: 'x' }, containers: [{ usage: { cpu: '10m', memory: '10Mi' } }, { usage: { cpu: '5m', memory: '6Mi' } }] },
      { metadata: { name: 'b', namespace: 'y' }, containers: [{ usage: { cpu: '1m', memory: '100Mi' } }] },
    ];
    expect(topPodRows(metrics, false, undefined)).toEqual([
      ['NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      ['a', '15m', '16Mi'],
      ['b', '1m', '100Mi'],
    ]);
    expect(topPodRows(metrics, true, 'memory').map((r) => r.slice(0, 2))).toEqual([
      ['NAMESPACE', 'NAME'],
      ['y', 'b'],
      ['x', 'a'],
    ]);
  });
});
