import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BERTH_LABELS, type ContainerSpec, type StartedContainer } from '@berth/docker-runtime';
import { HollowCluster } from './hollow-cluster';
import { HollowScheduler } from './hollow-scheduler';

const NODES = 1_000;
const PER_NODE = 20;

function nodeName(i: number): string {
  return `hollow-${String(i).padStart(4, '0')}`;
}

function nodeAddress(i: number): string {
  return `127.0.${2 + Math.floor(i / 250)}.${1 + (i % 250)}`;
}

function replicaSpec(node: number, replica: number): ContainerSpec {
  return {
    replicaUid: `r-${node}-${replica}`,
    name: `web-${node}-${replica}`,
    namespace: 'bench',
    deployment: `web-${replica % 10}`,
    node: nodeName(node),
    image: 'berth/http:test',
    ports: [{ containerPort: 80 }],
    cpuMilli: 100,
    memoryBytes: 64 * 1024 * 1024,
    hostIp: nodeAddress(node),
  };
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function liveTimeouts(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('HollowCluster', () => {
  // First in the file, so no earlier test's heap muddies the measurement.
  it('keeps scale cheap in memory: 20,000 running containers in under 64 MB of heap', async () => {
    const cluster = new HollowCluster({ scheduler: new HollowScheduler({ manual: true }) });
    try {
      gc();
      const before = process.memoryUsage().heapUsed;
      const pending: Array<Promise<unknown>> = [];
      for (let n = 0; n < NODES; n++) {
        const runtime = cluster.node(nodeName(n));
        for (let r = 0; r < PER_NODE; r++) pending.push(runtime.createAndStart(replicaSpec(n, r)).then(() => undefined));
      }
      await Promise.all(pending);
      pending.length = 0;
      gc();
      const grown = process.memoryUsage().heapUsed - before;
      expect(cluster.summary().running).toBe(NODES * PER_NODE);
      // About 1.5 KB a container (labels, ports, state); the bound leaves room for the engine's noise.
      expect(grown).toBeLessThan(64 * 1024 * 1024);
    } finally {
      cluster.close();
    }
  });

  it('hosts 1,000 nodes x 20 containers started concurrently on one timer, and lists each node correctly', async () => {
    const cluster = new HollowCluster({ seed: 42, behavior: { startMs: { min: 1, max: 50 } } });
    try {
      const timersBefore = liveTimeouts();
      const pending: Array<Promise<StartedContainer>> = [];
      for (let n = 0; n < NODES; n++) {
        const runtime = cluster.node(nodeName(n));
        for (let r = 0; r < PER_NODE; r++) pending.push(runtime.createAndStart(replicaSpec(n, r)));
      }
      // 20,000 start delays in flight, one live timer for all of them.
      expect(liveTimeouts() - timersBefore).toBeLessThanOrEqual(1);
      expect(cluster.summary()).toMatchObject({ nodes: NODES, containers: NODES * PER_NODE, created: NODES * PER_NODE, running: 0 });

      const started = await Promise.all(pending);
      expect(new Set(started.map((s) => s.containerId)).size).toBe(NODES * PER_NODE);
      expect(cluster.summary()).toMatchObject({ containers: NODES * PER_NODE, running: NODES * PER_NODE, created: 0, exited: 0, scheduledActions: 0 });

      for (let n = 0; n < NODES; n++) {
        const runtime = cluster.node(nodeName(n));
        const infos = await runtime.list({ node: nodeName(n) });
        expect(infos).toHaveLength(PER_NODE);
        expect(infos.every((info) => info.status === 'running' && info.labels[BERTH_LABELS.node] === nodeName(n))).toBe(true);
        expect(new Set(infos.map((info) => info.hostPorts[80])).size).toBe(PER_NODE);
        expect(await runtime.list({ node: nodeName((n + 1) % NODES) })).toEqual([]);
      }
      expect(cluster.runningReplicas('bench', 'web-3')).toBe(NODES * 2);

      await Promise.all(started.map((s, i) => cluster.node(nodeName(Math.floor(i / PER_NODE))).remove(s.containerId)));
      expect(cluster.summary()).toMatchObject({ containers: 0, running: 0 });
    } finally {
      cluster.close();
    }
  });

  it('gives every node name one runtime and validates behaviour when it is configured', () => {
    const cluster = new HollowCluster({ scheduler: new HollowScheduler({ manual: true }) });
    try {
      expect(cluster.node('a')).toBe(cluster.node('a'));
      expect(cluster.node('a')).not.toBe(cluster.node('b'));
      expect(cluster.getNode('c')).toBeUndefined();
      expect(() => cluster.configureImage('x', { crash: { afterMs: 1, probability: 2 } })).toThrow(/crash.probability/);
      expect(() => cluster.node('bad', { behavior: { startMs: -1 } })).toThrow(/startMs/);
      expect(() => new HollowCluster({ statsJitter: 2, scheduler: new HollowScheduler({ manual: true }) })).toThrow(/statsJitter/);
      expect(() => cluster.setDeploymentLoad('ns', 'd', -5)).toThrow(RangeError);
    } finally {
      cluster.close();
    }
  });
});
