import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { parseMessage, Subjects } from '@berth/contracts';
import { NATS_CONNECTION } from '@berth/messaging';
import { MetricsAnswer, metricsAnswerSchema, MetricsItem, MetricsQueryInput } from '@berth/read-models';
import { cpuQuantity, JsonObject } from '@berth/api-read-models';
import { GATEWAY_CONFIG, GatewayConfig } from '../app.config';
import { NODES, PODS } from '../resources/api-kinds';
import { ObjectReads } from '../resources/object-reads.service';
import { DependencyUnavailable, ResourceNotFound } from '../shared/api-errors';
import { KubeObject } from '../shared/api-reply';
import { parseLabelSelector } from '../shared/selectors';

const API_VERSION = 'metrics.k8s.io/v1beta1';
const WINDOW_SECONDS = 60;
const NODE_METRICS = { plural: 'nodemetrics', group: 'metrics.k8s.io' };
const POD_METRICS = { plural: 'podmetrics', group: 'metrics.k8s.io' };

export interface MetricsList {
  kind: 'NodeMetricsList' | 'PodMetricsList';
  apiVersion: string;
  metadata: Record<string, never>;
  items: KubeObject[];
}

/** What metrics-server would say: cpu in millicores ("250m"), memory in Ki. */
export function usageOf(item: MetricsItem): { cpu: string; memory: string } {
  const milli = Math.max(0, Math.round((item.cpuPercent ?? 0) * 10));
  return { cpu: milli === 0 ? '0' : cpuQuantity(milli), memory: `${Math.max(0, Math.round((item.memoryBytes ?? 0) / 1024))}Ki` };
}

/** The metrics API for `berth top`, answered from the monitor's `berth.metrics.query`. */
@Injectable()
export class MetricsService {
  constructor(
    private readonly reads: ObjectReads,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async nodes(): Promise<MetricsList> {
    const nodes = await this.reads.list(NODES, undefined, { fields: [], limit: 0, watch: false });
    const names = nodes.items.map((n) => String((n['metadata'] as JsonObject)['name']));
    const answer = await this.query({ kind: 'node', names, windowSeconds: WINDOW_SECONDS, aggregate: 'avg' });
    const byName = new Map(answer.items.filter((i) => i.samples > 0).map((i) => [i.name, i]));
    const items = names.flatMap((name) => {
      const item = byName.get(name);
      return item ? [this.nodeMetrics(name, item, answer)] : [];
    });
    return { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items };
  }

  async node(name: string): Promise<KubeObject> {
    await this.reads.live(NODES, undefined, name);
    const answer = await this.query({ kind: 'node', names: [name], windowSeconds: WINDOW_SECONDS, aggregate: 'avg' });
    const item = answer.items.find((i) => i.name === name && i.samples > 0);
    if (!item) throw new ResourceNotFound(NODE_METRICS, name);
    return this.nodeMetrics(name, item, answer);
  }

  /** Usage of one pod (`name`) or of the pods of a namespace (all when undefined), like metrics-server filtered by `labelSelector`. */
  async pods(namespace: string | undefined, filter: { name?: string; labelSelector?: string } = {}): Promise<MetricsList> {
    const { name } = filter;
    const labels = parseLabelSelector(filter.labelSelector);
    const pods = name
      ? [(await this.reads.live(PODS, namespace, name)).row.object]
      : (await this.reads.list(PODS, namespace, { fields: [], limit: 0, watch: false, ...(labels ? { labels } : {}) })).items;
    const byUid = new Map(pods.map((pod) => [String((pod['metadata'] as JsonObject)['uid']), pod]));
    const answer = byUid.size === 0 ? undefined : await this.query({ kind: 'replica', names: [...byUid.keys()], windowSeconds: WINDOW_SECONDS, aggregate: 'avg' });
    const items = (answer?.items ?? []).flatMap((item) => {
      const pod = byUid.get(item.name);
      if (!pod || item.samples === 0 || !answer) return [];
      const meta = pod['metadata'] as JsonObject;
      const container = ((pod['spec'] as JsonObject)['containers'] as { name: string }[] | undefined)?.[0]?.name ?? 'container';
      return [
        {
          kind: 'PodMetrics',
          apiVersion: API_VERSION,
          metadata: { name: meta['name'], namespace: meta['namespace'], creationTimestamp: new Date(answer.at).toISOString(), ...(meta['labels'] ? { labels: meta['labels'] } : {}) },
          timestamp: new Date(answer.at).toISOString(),
          window: `${answer.windowSeconds}s`,
          containers: [{ name: container, usage: usageOf(item) }],
        },
      ];
    });
    if (name && items.length === 0) throw new ResourceNotFound(POD_METRICS, name);
    return { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items };
  }

  async pod(namespace: string, name: string): Promise<KubeObject> {
    return (await this.pods(namespace, { name })).items[0];
  }

  private nodeMetrics(name: string, item: MetricsItem, answer: MetricsAnswer): KubeObject {
    const at = new Date(answer.at).toISOString();
    return { kind: 'NodeMetrics', apiVersion: API_VERSION, metadata: { name, creationTimestamp: at }, timestamp: at, window: `${answer.windowSeconds}s`, usage: usageOf(item) };
  }

  private async query(query: MetricsQueryInput): Promise<MetricsAnswer> {
    let reply;
    try {
      reply = await this.nats.request(Subjects.metricsQuery, JSON.stringify(query), { timeout: this.config.METRICS_TIMEOUT_MS });
    } catch {
      throw new DependencyUnavailable(`the metrics service (berth monitor) did not answer within ${this.config.METRICS_TIMEOUT_MS} ms`);
    }
    try {
      return parseMessage(metricsAnswerSchema, Subjects.metricsQuery, reply.data);
    } catch (error) {
      throw new DependencyUnavailable(`the metrics service (berth monitor) answered something unreadable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
