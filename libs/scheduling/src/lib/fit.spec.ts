import { Unschedulable } from './errors';
import { PlacementEngine } from './placement-engine';
import { Reason } from './reasons';
import { scheduleOne } from './scheduler';
import { GI, bound, node, replica } from './testing/builders';
import { ClusterNode, ClusterSnapshot, ReplicaSpec } from './types';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

function failure(snapshot: ClusterSnapshot, r: ReplicaSpec): Unschedulable {
  const result = scheduleOne(snapshot, r);
  if (!(result instanceof Unschedulable)) throw new Error(`expected Unschedulable, got ${JSON.stringify(result)}`);
  return result;
}

function placedOn(snapshot: ClusterSnapshot, r: ReplicaSpec): string {
  const result = scheduleOne(snapshot, r);
  if (result.kind !== 'Scheduled') throw new Error(result.message);
  return result.node;
}

describe('static filters', () => {
  it('NodeReady: skips not-ready nodes unless the replica tolerates not-ready', () => {
    const nodes = [node('a', { ready: false })];
    expect(failure({ nodes }, replica('r')).message).toBe('0/1 nodes are available: 1 node(s) were not ready.');
    expect(placedOn({ nodes }, replica('r', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }))).toBe('a');
  });

  it('NodeUnschedulable: skips cordoned nodes unless tolerated', () => {
    const nodes = [node('a', { unschedulable: true }), node('b', { unschedulable: true })];
    const f = failure({ nodes }, replica('r'));
    expect(f.message).toBe('0/2 nodes are available: 2 node(s) were unschedulable.');
    expect(f.filterFailures).toEqual({ NodeUnschedulable: 2 });
    expect(placedOn({ nodes }, replica('r', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' }] }))).toMatch(/^[ab]$/);
  });

  it('TaintToleration: NoSchedule and NoExecute repel, PreferNoSchedule does not', () => {
    const nodes = [
      node('a', { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] }),
      node('b', { taints: [{ key: 'gpu', effect: 'NoExecute' }] }),
    ];
    expect(failure({ nodes }, replica('r')).message).toBe(
      '0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: batch}, 1 node(s) had untolerated taint {gpu: }.',
    );
    expect(placedOn({ nodes }, replica('r', { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoExecute' }] }))).toBe('b');
    expect(placedOn({ nodes: [node('c', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] })] }, replica('r'))).toBe('c');
  });

  it('NodeAffinity: nodeSelector and required terms', () => {
    const nodes = [node('a', { labels: { disk: 'ssd', gen: '2' } }), node('b', { labels: { disk: 'hdd', gen: '5' } })];
    expect(placedOn({ nodes }, replica('r', { nodeSelector: { disk: 'hdd' } }))).toBe('b');
    const gt = replica('r', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['3'] }] }] },
        },
      },
    });
    expect(placedOn({ nodes }, gt)).toBe('a');
    const f = failure({ nodes }, replica('r', { nodeSelector: { disk: 'nvme' } }));
    expect(f.message).toBe("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.");
    expect(f.filterFailures).toEqual({ NodeAffinity: 2 });
  });

  it('reports only the first failing filter per node, in kube order', () => {
    const nodes = [node('a', { unschedulable: true, labels: { disk: 'hdd' } })];
    expect(failure({ nodes }, replica('r', { nodeSelector: { disk: 'ssd' } })).message).toBe('0/1 nodes are available: 1 node(s) were unschedulable.');
  });
});

describe('dynamic filters', () => {
  it('NodePorts: a host port taken by the node or a bound replica blocks it', () => {
    const nodes = [node('a', { usedHostPorts: [8080] }), node('b'), node('c')];
    const replicas = [bound('x', 'b', { hostPorts: [8080] })];
    expect(placedOn({ nodes, replicas }, replica('r', { hostPorts: [8080] }))).toBe('c');
    expect(placedOn({ nodes, replicas }, replica('r', { hostPorts: [9090] }))).toMatch(/^[abc]$/);
    const f = failure({ nodes: nodes.slice(0, 2), replicas }, replica('r', { hostPorts: [8080] }));
    expect(f.message).toBe("0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports.");
  });

  it('NodeResourcesFit: cpu, memory and pod count against allocatable minus bound requests', () => {
    const nodes = [
      node('cpu', { allocatable: { cpuMilli: 1000, memoryBytes: 8 * GI } }),
      node('mem', { allocatable: { cpuMilli: 4000, memoryBytes: 1 * GI } }),
      node('pods', { allocatable: { cpuMilli: 4000, memoryBytes: 8 * GI, pods: 1 } }),
      node('both', { allocatable: { cpuMilli: 500, memoryBytes: GI } }),
    ];
    const replicas = [bound('x', 'pods', { requests: { cpuMilli: 0, memoryBytes: 0 } })];
    const big = replica('r', { requests: { cpuMilli: 1500, memoryBytes: 2 * GI } });
    const f = failure({ nodes, replicas }, big);
    expect(f.message).toBe('0/4 nodes are available: 2 Insufficient cpu, 2 Insufficient memory, 1 Too many pods.');
    expect(f.filterFailures).toEqual({ NodeResourcesFit: 4 });
    expect(f.reasons.get(Reason.InsufficientCpu)).toBe(2);
  });

  it('NodeResourcesFit: fits exactly up to allocatable, and a zero request never fails', () => {
    const nodes = [node('a', { allocatable: { cpuMilli: 1000, memoryBytes: GI } })];
    const replicas = [bound('x', 'a', { requests: { cpuMilli: 600, memoryBytes: GI / 2 } })];
    expect(placedOn({ nodes, replicas }, replica('r', { requests: { cpuMilli: 400, memoryBytes: GI / 2 } }))).toBe('a');
    expect(failure({ nodes, replicas }, replica('r', { requests: { cpuMilli: 401, memoryBytes: 0 } })).message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu.',
    );
    const full = [bound('y', 'a', { requests: { cpuMilli: 5000, memoryBytes: 5 * GI } })];
    expect(placedOn({ nodes, replicas: full }, replica('r', { requests: { cpuMilli: 0, memoryBytes: 0 } }))).toBe('a');
  });

  it('PodTopologySpread DoNotSchedule: respects maxSkew across zones', () => {
    const nodes = [node('a1', { labels: { [ZONE]: 'a' } }), node('a2', { labels: { [ZONE]: 'a' } }), node('b1', { labels: { [ZONE]: 'b' } })];
    const spread = {
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'web' } } }],
    };
    const replicas = [bound('x', 'a1', spread)];
    expect(placedOn({ nodes, replicas }, replica('r', spread))).toBe('b1');
    const blocked = failure({ nodes: nodes.slice(0, 2).concat(node('b1', { labels: { [ZONE]: 'b' }, unschedulable: true })), replicas }, replica('r', spread));
    // Zone b still counts (its node passes affinity) with 0 replicas, so zone a would reach skew 2.
    expect(blocked.message).toBe("0/3 nodes are available: 2 node(s) didn't match pod topology spread constraints, 1 node(s) were unschedulable.");
    expect(blocked.filterFailures).toEqual({ PodTopologySpread: 2, NodeUnschedulable: 1 });
  });

  it('PodTopologySpread: counts only domains the replica could use by node affinity', () => {
    const nodes = [
      node('a1', { labels: { [ZONE]: 'a', disk: 'ssd' } }),
      node('b1', { labels: { [ZONE]: 'b', disk: 'hdd' } }),
    ];
    const spec = {
      nodeSelector: { disk: 'ssd' },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'web' } } }],
    };
    const replicas = [bound('x', 'a1', spec), bound('y', 'a1', spec)];
    expect(placedOn({ nodes, replicas }, replica('r', spec))).toBe('a1');
  });

  it('PodTopologySpread: a node without the topology label is rejected', () => {
    const nodes = [node('a')];
    const f = failure(
      { nodes },
      replica('r', { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: {} }] }),
    );
    expect(f.message).toBe("0/1 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required label).");
  });

  it('InterPodAffinity: required anti-affinity per hostname and per zone', () => {
    const nodes: ClusterNode[] = [
      node('a1', { labels: { [ZONE]: 'a' } }),
      node('a2', { labels: { [ZONE]: 'a' } }),
      node('b1', { labels: { [ZONE]: 'b' } }),
    ];
    const replicas = [bound('x', 'a1', { labels: { app: 'db' }, deployment: 'db' })];
    const perHost = replica('r', {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: HOST }] } },
    });
    const perZone = replica('r', {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: ZONE }] } },
    });
    const engine = new PlacementEngine({ nodes, replicas });
    expect(engine.explain(perHost, 'a1')).toBe(Reason.AntiAffinity);
    expect(engine.explain(perHost, 'a2')).toBeNull();
    expect(engine.explain(perZone, 'a2')).toBe(Reason.AntiAffinity);
    expect(placedOn({ nodes, replicas }, perZone)).toBe('b1');
  });

  it('InterPodAffinity: anti-affinity only looks at the term namespaces', () => {
    const nodes = [node('a')];
    const replicas = [bound('x', 'a', { namespace: 'other', labels: { app: 'db' } })];
    const term = { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: HOST };
    expect(placedOn({ nodes, replicas }, replica('r', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } }))).toBe('a');
    const cross = replica('r', { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term, namespaces: ['other'] }] } } });
    expect(failure({ nodes, replicas }, cross).message).toBe("0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.");
  });

  it("InterPodAffinity: honours bound replicas' anti-affinity against the newcomer (symmetry)", () => {
    const nodes = [node('a'), node('b')];
    const replicas = [
      bound('x', 'a', {
        deployment: 'loner',
        labels: { app: 'loner' },
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: HOST }] } },
      }),
    ];
    const engine = new PlacementEngine({ nodes, replicas });
    expect(engine.explain(replica('r'), 'a')).toBe(Reason.ExistingAntiAffinity);
    expect(placedOn({ nodes, replicas }, replica('r'))).toBe('b');
    engine.unbind('x');
    expect(engine.explain(replica('r'), 'a')).toBeNull();
  });
});
