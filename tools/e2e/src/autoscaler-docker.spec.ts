import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ClusterState } from '@berth/cluster-state';
import { RecordedEvent, streamIds, validateResource } from '@berth/contracts';
import { startCluster, TestCluster, waitForState, WORKSPACE_ROOT } from '@berth/testing';

jest.setTimeout(300_000);

const SYNC_MS = 1_000;
const DEPLOYMENT = 'default/burner';

function validated(object: unknown): Record<string, unknown> {
  const result = validateResource(object);
  if (!result.ok) throw new Error(JSON.stringify(result.status));
  return result.value as unknown as Record<string, unknown>;
}

/** Replicas that burn a whole core (capped by their 200m limit) for their first 25 s, then idle. */
const burner = validated({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'burner' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'burner' } },
    template: {
      metadata: { labels: { app: 'burner' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'burner',
            image: 'berth/busybox:test',
            imagePullPolicy: 'Never',
            command: ['sh', '-c', 'end=$(( $(date +%s) + 25 )); while [ $(date +%s) -lt $end ]; do :; done; exec sleep 3600'],
            resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } },
          },
        ],
      },
    },
  },
});

const hpa = validated({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'burner' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'burner' },
    minReplicas: 1,
    maxReplicas: 3,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    behavior: { scaleDown: { stabilizationWindowSeconds: 10 } },
  },
});

const desired = (s: ClusterState) => s.deployments.get(DEPLOYMENT)?.spec.replicas;

/** The whole loop on real Docker: agent stats -> monitor -> autoscaler -> scheduler -> agent. */
describe('HorizontalPodAutoscaler on real Docker', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    execFileSync('bash', [join(WORKSPACE_ROOT, 'tools/images/build-images.sh'), '--quiet']);
    cluster = await startCluster({
      nodes: 1,
      services: ['scheduler', 'monitor', 'autoscaler'],
      env: { SYNC_PERIOD_MS: String(SYNC_MS), STATS_INTERVAL_MS: '1000' },
    });
    await waitForState('a ready node', (s) => s.nodes.get(cluster.nodeNames[0])?.ready === true, cluster.db.store);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('scales out under CPU load, then back in after the stabilization window, with reasons in the log', async () => {
    const { store } = cluster.db;
    await store.append(streamIds.deployment('default', 'burner'), 'no_stream', [{ type: 'DeploymentCreated', data: { manifest: burner } }]);
    await waitForState('the burner running', (s) => [...s.replicas.values()].some((r) => r.deploymentKey === DEPLOYMENT && r.ready), store);
    await store.append(streamIds.hpa('default', 'burner'), 'no_stream', [{ type: 'HorizontalPodAutoscalerCreated', data: { manifest: hpa } }]);

    const loadSeen = Date.now();
    const out = await waitForState('a scale-out decision', (s) => (desired(s) ?? 1) > 1, store, 60_000);
    process.stdout.write(`scale-out to ${desired(out)} ${((Date.now() - loadSeen) / 1000).toFixed(1)} s after the HPA was created\n`);

    // The load ends 25 s after each replica starts; the window is 10 s.
    const back = await waitForState('a scale-in back to 1', (s) => desired(s) === 1, store, 120_000);
    expect(desired(back)).toBe(1);

    const decisions = (await store.readStream(streamIds.hpa('default', 'burner'))).filter(
      (e: RecordedEvent) => e.type === 'HorizontalPodAutoscalerDecided',
    );
    expect(decisions.length).toBeGreaterThanOrEqual(2);
    const first = decisions[0].data as { currentReplicas: number; desiredReplicas: number; reason: string };
    expect(first.desiredReplicas).toBeGreaterThan(first.currentReplicas);
    expect(first.reason).toMatch(/cpu/i);
    // No flapping: the decisions go out, then in, never back and forth.
    const directions = decisions.map((e) => {
      const d = e.data as { currentReplicas: number; desiredReplicas: number };
      return Math.sign(d.desiredReplicas - d.currentReplicas);
    });
    const firstDown = directions.indexOf(-1);
    expect(directions.slice(firstDown).every((d) => d === -1)).toBe(true);
  });
});
