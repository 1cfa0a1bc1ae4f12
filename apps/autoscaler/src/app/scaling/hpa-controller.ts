import { Logger } from '@nestjs/common';
import { computeReplicas, HpaCondition, HpaDecision, HpaOptions, InvalidHpaInput, InvalidHpaSpec } from '@berth/autoscaling';
import { ClusterState } from '@berth/cluster-state';
import { MetricsAnswer, MetricsQueryInput, NewEvent, streamIds } from '@berth/contracts';
import { AppendRequest, WrongExpectedVersion } from '@berth/event-store';
import { AutoscalerMetrics } from '../metrics/autoscaler.metrics';
import { ExternalMetricsStore } from '../metrics/external-metrics.store';
import { MetricsSource } from '../metrics/metrics-source';
import { HpaHistory, HpaRecord, HpaState } from '../state/hpa-state';
import { HpaInputBuilder, ScaleTarget, ScaleTargetNotFound } from './hpa-input.builder';
import { currentMetrics, HpaStatus, mergeConditions, sameStatus, StatusCondition } from './hpa-status';

/** The part of the event store the controller writes through (a fake in specs). */
export interface EventWriter {
  appendMany(requests: AppendRequest[]): Promise<unknown>;
}

export interface HpaControllerSettings {
  /** Metrics are averaged over this window. */
  readonly metricsWindowMs: number;
  readonly hpa: HpaOptions;
}

export interface HpaControllerDeps {
  readonly cluster: ClusterState;
  readonly hpas: HpaState;
  readonly metrics: MetricsSource;
  readonly external: ExternalMetricsStore;
  readonly writer: EventWriter;
  readonly settings: HpaControllerSettings;
  readonly clock?: () => number;
  readonly telemetry?: AutoscalerMetrics;
}

export type SyncResult = 'scaled' | 'unchanged' | 'failed' | 'conflict';

export interface SyncOutcome {
  readonly hpa: string;
  readonly result: SyncResult;
  readonly currentReplicas?: number;
  readonly desiredReplicas?: number;
  readonly reason: string;
}

const ACTOR = 'berth-autoscaler';

/**
 * One HPA controller sync: for every HPA, read the target and its metrics, ask computeReplicas, and
 * append the rescale (deployment stream) with its decision (hpa stream) in one atomic append.
 */
export class HpaController {
  private readonly logger = new Logger(HpaController.name);
  private readonly builder = new HpaInputBuilder();
  private readonly clock: () => number;
  /** In-memory history per HPA key, seeded from the log's Decided events. */
  private readonly history = new Map<string, HpaHistory & { incarnation: number }>();

  constructor(private readonly deps: HpaControllerDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Forget the in-memory history: the next sync seeds it from the log again (after the lease moved). */
  resetHistory(): void {
    this.history.clear();
  }

  async syncAll(): Promise<SyncOutcome[]> {
    const hpas = [...this.deps.hpas.hpas.values()];
    for (const key of this.history.keys()) if (!this.deps.hpas.hpas.has(key)) this.history.delete(key);
    this.deps.telemetry?.hpas.set(hpas.length);
    return Promise.all(hpas.map((hpa) => this.sync(hpa)));
  }

  async sync(hpa: HpaRecord): Promise<SyncOutcome> {
    const stopTimer = this.deps.telemetry?.evaluationDuration.startTimer();
    try {
      return await this.evaluate(hpa);
    } catch (error) {
      this.logger.error({ msg: 'hpa evaluation failed', hpa: hpa.key, error: String(error) });
      this.deps.telemetry?.evaluationErrors.inc({ reason: 'Internal' });
      return { hpa: hpa.key, result: 'failed', reason: String(error) };
    } finally {
      stopTimer?.();
    }
  }

  private async evaluate(hpa: HpaRecord): Promise<SyncOutcome> {
    const now = this.clock();
    let target: ScaleTarget;
    try {
      target = this.builder.resolveTarget(hpa, this.deps.cluster, this.deps.hpas);
    } catch (error) {
      if (!(error instanceof ScaleTargetNotFound)) throw error;
      return this.fail(hpa, now, { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${error.message}` });
    }

    const needs = this.builder.needs(hpa.spec);
    const windowSeconds = this.deps.settings.metricsWindowMs / 1000;
    const [replicaMetrics, serviceMetrics] = await Promise.all([
      needs.replicas && target.replicas.length > 0 ? this.query(hpa, { kind: 'replica', names: target.replicas.map((r) => r.uid), windowSeconds }) : undefined,
      needs.service && target.service ? this.query(hpa, { kind: 'service', names: [target.service.key], windowSeconds }) : undefined,
    ]);
    const history = this.historyOf(hpa);
    let decision: HpaDecision;
    try {
      decision = computeReplicas(this.builder.build({ hpa, target, replicaMetrics, serviceMetrics, external: this.deps.external, history, now }), this.deps.settings.hpa);
    } catch (error) {
      if (!(error instanceof InvalidHpaSpec) && !(error instanceof InvalidHpaInput)) throw error;
      return this.fail(hpa, now, { type: 'ScalingActive', status: 'False', reason: 'InvalidSpec', message: error.message });
    }
    history.recommendations = decision.recommendations;
    if (!decision.metrics.some((m) => m.current)) this.deps.telemetry?.evaluationErrors.inc({ reason: decision.metrics[0]?.errorReason ?? 'NoMetrics' });

    const metrics = currentMetrics(hpa.spec, decision);
    if (!decision.rescale) {
      history.scaleEvents = decision.scaleEvents;
      const status = this.status(hpa, now, decision.currentReplicas, decision.desiredReplicas, metrics, decision.conditions, false);
      if (!sameStatus(hpa.status, status)) await this.appendStatusOnly(hpa, status);
      return { hpa: hpa.key, result: 'unchanged', currentReplicas: decision.currentReplicas, desiredReplicas: decision.desiredReplicas, reason: decision.reason };
    }

    const reason = decision.events.find((e) => e.reason === 'SuccessfulRescale')?.message ?? `New size: ${decision.desiredReplicas}; reason: ${decision.reason}`;
    const conditions: HpaCondition[] = [
      ...decision.conditions.filter((c) => c.type !== 'AbleToScale'),
      { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${decision.desiredReplicas}` },
    ];
    const status = this.status(hpa, now, decision.currentReplicas, decision.desiredReplicas, metrics, conditions, true);
    const { deployment } = target;
    const metadata = { actor: ACTOR, correlationId: `hpa:${hpa.key}` };
    const hpaEvents: NewEvent[] = [
      {
        type: 'HorizontalPodAutoscalerDecided',
        data: { currentReplicas: decision.currentReplicas, desiredReplicas: decision.desiredReplicas, reason: decision.reason, recommendation: decision.recommendation?.replicas, metrics },
        metadata,
      },
    ];
    if (!sameStatus(hpa.status, status)) hpaEvents.push({ type: 'HorizontalPodAutoscalerStatusChanged', data: { status }, metadata });
    try {
      await this.deps.writer.appendMany([
        { streamId: streamIds.deployment(deployment.namespace, deployment.name), expected: deployment.version, events: [{ type: 'DeploymentScaled', data: { replicas: decision.desiredReplicas, reason }, metadata }] },
        { streamId: streamIds.hpa(hpa.namespace, hpa.name), expected: hpa.version, events: hpaEvents },
      ]);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      // Someone changed the deployment or the HPA since we read it: decide again next sync, on fresh state.
      this.deps.telemetry?.conflicts.inc();
      this.logger.debug({ msg: 'rescale conflicted', hpa: hpa.key, error: error.message });
      return { hpa: hpa.key, result: 'conflict', currentReplicas: decision.currentReplicas, desiredReplicas: decision.desiredReplicas, reason: error.message };
    }
    history.scaleEvents = decision.scaleEvent ? [...decision.scaleEvents, decision.scaleEvent] : decision.scaleEvents;
    const direction = decision.desiredReplicas > decision.currentReplicas ? 'up' : 'down';
    this.deps.telemetry?.decisions.inc({ direction });
    this.logger.log({ msg: 'rescaled', hpa: hpa.key, deployment: deployment.key, from: decision.currentReplicas, to: decision.desiredReplicas, direction, reason: decision.reason });
    return { hpa: hpa.key, result: 'scaled', currentReplicas: decision.currentReplicas, desiredReplicas: decision.desiredReplicas, reason: decision.reason };
  }

  private historyOf(hpa: HpaRecord): HpaHistory {
    const existing = this.history.get(hpa.key);
    if (existing && existing.incarnation === hpa.incarnation) return existing;
    const seeded = { incarnation: hpa.incarnation, recommendations: [...hpa.history.recommendations], scaleEvents: [...hpa.history.scaleEvents] };
    this.history.set(hpa.key, seeded);
    return seeded;
  }

  private async query(hpa: HpaRecord, query: MetricsQueryInput): Promise<MetricsAnswer | undefined> {
    try {
      return await this.deps.metrics.query(query);
    } catch (error) {
      // No answer is missing samples: computeReplicas then reports FailedGetResourceMetric and keeps the size.
      this.logger.warn({ msg: 'metrics query failed', hpa: hpa.key, kind: query.kind, error: String(error) });
      return undefined;
    }
  }

  private status(
    hpa: HpaRecord,
    now: number,
    currentReplicas: number,
    desiredReplicas: number,
    metrics: Record<string, unknown>[],
    conditions: HpaCondition[],
    rescaled: boolean,
  ): HpaStatus {
    const previous = (hpa.status ?? {}) as Partial<HpaStatus>;
    const lastScaleTime = rescaled ? new Date(now).toISOString() : previous.lastScaleTime;
    return {
      observedGeneration: hpa.generation,
      ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas,
      desiredReplicas,
      currentMetrics: metrics,
      conditions: mergeConditions((previous.conditions ?? []) as StatusCondition[], conditions, now),
    };
  }

  private async fail(hpa: HpaRecord, now: number, condition: HpaCondition): Promise<SyncOutcome> {
    this.deps.telemetry?.evaluationErrors.inc({ reason: condition.reason });
    const previous = (hpa.status ?? {}) as Partial<HpaStatus>;
    const status = this.status(hpa, now, previous.currentReplicas ?? 0, previous.desiredReplicas ?? 0, previous.currentMetrics ?? [], [condition], false);
    if (!sameStatus(hpa.status, status)) await this.appendStatusOnly(hpa, status);
    return { hpa: hpa.key, result: 'failed', reason: condition.message };
  }

  private async appendStatusOnly(hpa: HpaRecord, status: HpaStatus): Promise<void> {
    try {
      await this.deps.writer.appendMany([
        { streamId: streamIds.hpa(hpa.namespace, hpa.name), expected: hpa.version, events: [{ type: 'HorizontalPodAutoscalerStatusChanged', data: { status }, metadata: { actor: ACTOR } }] },
      ]);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      this.deps.telemetry?.conflicts.inc();
    }
  }
}
