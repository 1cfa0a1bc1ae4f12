import { Unschedulable } from './errors';
import { Reason, formatFitError, sortReasons, untoleratedTaintReason } from './reasons';

describe('fit error message', () => {
  it('reads exactly like kube-scheduler', () => {
    const reasons = new Map([
      [untoleratedTaintReason('key', 'value'), 2],
      [Reason.InsufficientMemory, 3],
    ]);
    expect(formatFitError(5, reasons)).toBe('0/5 nodes are available: 3 Insufficient memory, 2 node(s) had untolerated taint {key: value}.');
  });

  it('sorts by count descending, then by reason', () => {
    const reasons = new Map([
      [Reason.Unschedulable, 1],
      [Reason.InsufficientMemory, 4],
      [Reason.InsufficientCpu, 4],
      [Reason.NotReady, 12],
    ]);
    expect(sortReasons(reasons).map(([r]) => r)).toEqual([Reason.NotReady, Reason.InsufficientCpu, Reason.InsufficientMemory, Reason.Unschedulable]);
    expect(formatFitError(21, reasons)).toBe(
      '0/21 nodes are available: 12 node(s) were not ready, 4 Insufficient cpu, 4 Insufficient memory, 1 node(s) were unschedulable.',
    );
  });

  it('prints an empty taint value the way kube does and handles an empty cluster', () => {
    expect(untoleratedTaintReason('node.kubernetes.io/not-ready', undefined)).toBe('node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
    expect(formatFitError(0, new Map())).toBe('no nodes available to schedule pods');
  });

  it('is carried by the Unschedulable error', () => {
    const error = new Unschedulable('r1', 2, new Map([[Reason.TooManyPods, 2]]), { NodeResourcesFit: 2 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('Unschedulable');
    expect(error.kind).toBe('Unschedulable');
    expect(error.message).toBe('0/2 nodes are available: 2 Too many pods.');
    expect(error.filterFailures).toEqual({ NodeResourcesFit: 2 });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'Unschedulable',
      replica: 'r1',
      message: '0/2 nodes are available: 2 Too many pods.',
      totalNodes: 2,
      reasons: { 'Too many pods': 2 },
      filterFailures: { NodeResourcesFit: 2 },
    });
  });
});
