// Test helpers: validated manifests, a state fed by hand through the real folds, and fakes for metrics and the log.
import { applyInPlace, ClusterState, DeploymentState, emptyClusterState, EventSequence } from '@berth/cluster-state';
import { MetricsAnswer, MetricsItem, MetricsQueryInput, RecordedEvent, validateResource } from '@berth/contracts';
import { AppendRequest, WrongExpectedVersion } from '@berth/event-store';
import { MetricsSource } from '../metrics/metrics-source';
import { EventWriter } from '../scaling/hpa-controller';
import { HpaRecord, HpaState } from '../state/hpa-state';

function validated(input: Record<string, unknown>): Record<string, unknown> {
  const result = validateResource(input);
  if (!result.ok) throw new Error(`test manifest is invalid: ${JSON.stringify(result.status)}`);
  return result.value as unknown as Record<string, unknown>;
}

export function deploymentManifest(name: string, options: { replicas?: number; requests?: Record<string, string> } = {}): Record<string, unknown> {
  return validated({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'nginx:1.0', ports: [{ containerPort: 80 }], resources: { requests: options.requests ?? { cpu: '100m' } } }] },
      },
    },
  });
}

export function hpaManifest(name: string, target: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return validated({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      ...spec,
    },
  });
}

export function serviceManifest(name: string, selector: Record<string, string>): Record<string, unknown> {
  return validated({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector, ports: [{ port: 80 }] } });
}

/** ClusterState + HpaState fed by hand-made events through the real folds. */
export class PlainState {
  readonly seq: EventSequence;
  readonly cluster: ClusterState = emptyClusterState();
  readonly hpas = new HpaState();

  constructor(startAt = Date.UTC(2025, 0, 1)) {
    this.seq = new EventSequence(startAt);
  }

  push(streamId: string, type: string, data: unknown): RecordedEvent {
    const event = this.seq.next(streamId, type, data);
    applyInPlace(this.cluster, event);
    this.hpas.apply(event);
    return event;
  }

  advance(ms: number): this {
    this.seq.advance(ms);
    return this;
  }

  hpaRecord(name: string): HpaRecord {
    const record = this.hpas.hpas.get(`default/${name}`);
    if (!record) throw new Error(`no hpa ${name}`);
    return record;
  }

  deploymentRecord(name: string): DeploymentState {
    const record = this.cluster.deployments.get(`default/${name}`);
    if (!record) throw new Error(`no deployment ${name}`);
    return record;
  }

  deployment(name: string, options: Parameters<typeof deploymentManifest>[1] = {}): this {
    this.push(`deployment:default/${name}`, 'DeploymentCreated', { manifest: deploymentManifest(name, options) });
    return this;
  }

  /** A replica that was created, started and (unless `ready` is false) became ready at the current time. */
  replica(deployment: string, uid: string, options: { ready?: boolean } = {}): this {
    const d = this.deploymentRecord(deployment);
    const stream = `replica:${uid}`;
    this.push(stream, 'ReplicaCreated', { namespace: 'default', deployment, revision: 1, templateHash: d.templateHash, template: d.spec.template, priority: 0 });
    this.push(stream, 'ReplicaScheduled', { node: 'n1' });
    this.push(stream, 'ReplicaStarted', { node: 'n1', containerId: `c-${uid}`, hostPorts: {}, hostIp: '127.0.0.1' });
    if (options.ready !== false) this.push(stream, 'ReplicaReady', { node: 'n1' });
    return this;
  }

  hpa(name: string, target: string, spec: Record<string, unknown> = {}): this {
    this.push(`hpa:default/${name}`, 'HorizontalPodAutoscalerCreated', { manifest: hpaManifest(name, target, spec) });
    return this;
  }
}

/** A monitor stand-in: per-replica cpu percent (or per service values) set by the test. */
export class FakeMetrics implements MetricsSource {
  readonly queries: MetricsQueryInput[] = [];
  cpuPercent: number | ((uid: string) => number | undefined) = 0;
  services = new Map<string, Partial<MetricsItem>>();
  failing = false;

  constructor(private readonly clock: () => number) {}

  async query(query: MetricsQueryInput): Promise<MetricsAnswer> {
    this.queries.push(query);
    if (this.failing) throw new Error('monitor did not answer');
    const names = query.names ?? [];
    const items: MetricsItem[] =
      query.kind === 'service'
        ? names.flatMap((name) => {
            const values = this.services.get(name);
            return values ? [{ name, samples: 10, ...values }] : [];
          })
        : names.flatMap((name) => {
            const cpu = typeof this.cpuPercent === 'function' ? this.cpuPercent(name) : this.cpuPercent;
            return cpu === undefined ? [] : [{ name, samples: 10, cpuPercent: cpu, memoryBytes: 50 * 1024 * 1024 }];
          });
    return { kind: query.kind, aggregate: query.aggregate ?? 'avg', windowSeconds: query.windowSeconds ?? 60, source: 'raw', at: this.clock(), items };
  }
}

/** An event log stand-in that checks expected versions against the PlainState and folds what it accepts. */
export class FakeWriter implements EventWriter {
  readonly appended: AppendRequest[][] = [];
  conflictNext = false;

  constructor(private readonly state: PlainState) {}

  async appendMany(requests: AppendRequest[]): Promise<void> {
    if (this.conflictNext) {
      this.conflictNext = false;
      throw new WrongExpectedVersion(requests[0].streamId, requests[0].expected, -1);
    }
    this.appended.push(requests);
    for (const request of requests) for (const event of request.events) this.state.push(request.streamId, event.type, event.data);
  }

  eventsOfType(type: string): { streamId: string; data: Record<string, unknown> }[] {
    return this.appended.flatMap((requests) => requests.flatMap((r) => r.events.filter((e) => e.type === type).map((e) => ({ streamId: r.streamId, data: e.data as Record<string, unknown> }))));
  }
}
