import { Logger } from '@nestjs/common';
import { ClusterState } from '@berth/cluster-state';
import { categoryOf, NewEvent, streamIds } from '@berth/contracts';
import { ScoringStrategy } from '@berth/scheduling';
import { DeletionReason, DeploymentController, DeploymentPlan, isEmptyPlan } from '../deployments/deployment-controller';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { NodeLifecycle } from '../nodes/node-lifecycle';
import { PlacementPlanner } from '../placement/placement-planner';
import { ReplicaSpecMapper } from '../placement/replica-spec.mapper';
import { SchedulingQueue } from '../placement/scheduling-queue';
import { Lease } from '@berth/event-store';
import { StateChange, StateFollower } from '../state/state-follower';
import { AppendExecutor, AppendUnit, SCHEDULER_ACTOR } from './append-executor';

export interface ReconcilerSettings {
  readonly nodeLostGraceMs: number;
  readonly resyncIntervalMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly scoringStrategy: ScoringStrategy;
  readonly preemption: boolean;
  readonly nominationTimeoutMs: number;
  /** Wait after a pass failed (database unreachable) before the next. */
  readonly errorBackoffMs: number;
}

/** Events after which a replica that fitted nowhere may fit: capacity came or went free. */
const CAPACITY_EVENTS = new Set(['NodeRegistered', 'NodeReady', 'NodeUncordoned', 'ReplicaDeleted', 'ReplicaStopped']);

interface TaggedUnit extends AppendUnit {
  readonly tag: string;
}

function event(type: string, data: unknown): NewEvent {
  return { type, data, metadata: { actor: SCHEDULER_ACTOR } };
}

/**
 * The control loop of the lease holder. Each pass runs three phases on the current state, each
 * appending its decisions with expected versions and waiting until the state has them:
 * lifecycle (finish deletions, evict lost nodes) -> deployments (revisions, scaling, rollouts, status)
 * -> placement (bind pending replicas, report unschedulable, preempt). Passes are triggered by state
 * changes and by timers (minReadySeconds, progress deadlines, backoff, resync); nothing polls.
 */
export class Reconciler {
  private readonly logger = new Logger(Reconciler.name);
  private readonly controller = new DeploymentController();
  private readonly lifecycle: NodeLifecycle;
  private readonly planner: PlacementPlanner;
  readonly queue: SchedulingQueue;
  private readonly dirty = new Set<string>();
  private allDirty = true;
  private readonly requeue = new Map<string, number>();
  private lifecycleDueAt: number | undefined;
  private lastResync = 0;
  private kicked = false;
  private signal: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private passes = 0;

  constructor(
    private readonly follower: StateFollower,
    private readonly lease: Lease,
    private readonly executor: AppendExecutor,
    private readonly metrics: SchedulerMetrics,
    private readonly settings: ReconcilerSettings,
    private readonly clock: () => number = Date.now,
  ) {
    this.lifecycle = new NodeLifecycle({ nodeLostGraceMs: settings.nodeLostGraceMs });
    this.queue = new SchedulingQueue({ initialMs: settings.backoffInitialMs, maxMs: settings.backoffMaxMs });
    this.planner = new PlacementPlanner(new ReplicaSpecMapper(), {
      scoringStrategy: settings.scoringStrategy,
      preemption: settings.preemption,
      nominationTimeoutMs: settings.nominationTimeoutMs,
    });
  }

  private get state(): ClusterState {
    return this.follower.state;
  }

  /** Number of passes run (for tests and logs). */
  get passCount(): number {
    return this.passes;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.kick();
    await this.loop;
  }

  /** Everything is looked at again on the next pass (lease taken, resync). */
  markAll(): void {
    this.allDirty = true;
    this.kick();
  }

  kick(): void {
    this.kicked = true;
    this.signal?.();
  }

  onStateChange(change: StateChange): void {
    const { event: e } = change;
    const category = categoryOf(e.streamId);
    if (CAPACITY_EVENTS.has(e.type)) this.queue.clusterChanged();
    if (category === 'deployment') this.dirty.add(e.streamId.slice('deployment:'.length));
    else if (category === 'replica') {
      const key = (change.replicaAfter ?? change.replicaBefore)?.deploymentKey;
      if (key !== undefined) this.dirty.add(key);
    } else if (category === 'node') {
      // Drain, loss and cordon change what the node's replicas' deployments must do.
      for (const uid of this.state.index.byNode.get(e.streamId.slice('node:'.length)) ?? []) {
        const replica = this.state.replicas.get(uid);
        if (replica) this.dirty.add(replica.deploymentKey);
      }
    }
    this.kick();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.nextSignal();
      if (this.stopped) break;
      if (!this.lease.isHeld || !this.follower.isCaughtUp) continue;
      try {
        await this.pass();
      } catch (error) {
        this.logger.warn({ msg: 'controller pass failed, will retry', error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, this.settings.errorBackoffMs));
        this.allDirty = true;
        this.kick();
      }
    }
  }

  private nextSignal(): Promise<void> {
    if (this.kicked) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.signal = () => {
        this.signal = null;
        this.kicked = false;
        resolve();
      };
    });
  }

  /** One pass of the three phases. */
  async pass(): Promise<void> {
    this.passes++;
    const now = this.clock();
    if (now - this.lastResync >= this.settings.resyncIntervalMs) {
      this.allDirty = true;
      this.lastResync = now;
    }
    for (const [key, at] of this.requeue) {
      if (at <= now) {
        this.dirty.add(key);
        this.requeue.delete(key);
      }
    }
    await this.lifecyclePhase();
    await this.deploymentPhase();
    await this.placementPhase();
    this.metrics.pendingReplicas.set(this.state.index.pending.size);
    this.metrics.statePosition.set(this.state.position);
    this.armTimer();
  }

  private async lifecyclePhase(): Promise<void> {
    const end = this.metrics.syncDuration.startTimer({ controller: 'lifecycle' });
    const plan = this.lifecycle.plan(this.state, this.clock());
    this.lifecycleDueAt = plan.requeueAt;
    const units: TaggedUnit[] = [
      ...plan.finalize.map((a) => ({
        tag: a.uid,
        label: `delete ${a.uid}`,
        requests: [{ streamId: streamIds.replica(a.uid), expected: a.expectedVersion, events: [event('ReplicaDeleted', {})] }],
      })),
      ...plan.evictions.map((a) => ({
        tag: a.uid,
        label: `evict ${a.uid} from lost node`,
        requests: [
          {
            streamId: streamIds.replica(a.uid),
            expected: a.expectedVersion,
            events: [event('ReplicaDeletionRequested', { reason: DeletionReason.NodeLost }), event('ReplicaDeleted', { reason: DeletionReason.NodeLost })],
          },
        ],
      })),
    ];
    if (plan.evictions.length > 0) this.logger.log({ msg: 'evicting replicas of lost nodes', replicas: plan.evictions.length });
    await this.commit('lifecycle', units);
    end();
  }

  private async deploymentPhase(): Promise<void> {
    const end = this.metrics.syncDuration.startTimer({ controller: 'deployment' });
    const keys = this.allDirty ? new Set([...this.state.deployments.keys(), ...this.state.index.byDeployment.keys()]) : new Set(this.dirty);
    this.allDirty = false;
    this.dirty.clear();
    const now = this.clock();
    const units: TaggedUnit[] = [];
    for (const key of keys) {
      let plan: DeploymentPlan;
      try {
        plan = this.controller.plan(this.state, key, now);
      } catch (error) {
        this.logger.error({ msg: 'deployment sync failed', deployment: key, error: String(error) });
        continue;
      }
      if (plan.requeueAt !== undefined) this.requeue.set(key, plan.requeueAt);
      else this.requeue.delete(key);
      if (isEmptyPlan(plan)) continue;
      for (const note of plan.notes) this.logger.log({ msg: note, deployment: key, reason: 'ScalingReplicaSet' });
      units.push({ tag: key, label: `sync ${key}`, requests: this.deploymentRequests(plan) });
    }
    const conflicts = await this.commit('deployment', units);
    for (const unit of conflicts) this.dirty.add(unit.tag);
    if (conflicts.length > 0) this.kick();
    end();
  }

  private deploymentRequests(plan: DeploymentPlan): AppendUnit['requests'] {
    const requests: AppendUnit['requests'] = [];
    if (plan.deploymentEvents.length > 0) {
      requests.push({
        streamId: `deployment:${plan.key}`,
        expected: plan.expectedVersion,
        events: plan.deploymentEvents.map((e) => event(e.type, e.data)),
      });
    }
    for (const creation of plan.creations) {
      requests.push({ streamId: streamIds.replica(creation.uid), expected: 'no_stream', events: [event('ReplicaCreated', creation.data)] });
    }
    for (const deletion of plan.deletions) {
      const events = [event('ReplicaDeletionRequested', { reason: deletion.reason })];
      if (deletion.immediate) events.push(event('ReplicaDeleted', { reason: deletion.reason }));
      requests.push({ streamId: streamIds.replica(deletion.uid), expected: deletion.expectedVersion, events });
    }
    return requests;
  }

  private async placementPhase(): Promise<void> {
    const end = this.metrics.syncDuration.startTimer({ controller: 'placement' });
    const plan = this.planner.plan(this.state, this.queue, this.clock());
    const createdAt = new Map(plan.bindings.map((b) => [b.uid, b.createdAt]));
    const units: TaggedUnit[] = [
      ...plan.bindings.map((b) => ({
        tag: b.uid,
        label: `bind ${b.uid} to ${b.node}`,
        requests: [{ streamId: streamIds.replica(b.uid), expected: b.expectedVersion, events: [event('ReplicaScheduled', { node: b.node })] }],
      })),
      ...plan.unschedulable.map((u) => ({
        tag: '',
        label: `unschedulable ${u.uid}`,
        requests: [{ streamId: streamIds.replica(u.uid), expected: u.expectedVersion, events: [event('ReplicaUnschedulable', { message: u.message })] }],
      })),
      ...plan.preemptions.map((p) => ({
        tag: '',
        label: `preempt for ${p.preemptor} on ${p.node}`,
        requests: p.victims.map((v) => ({
          streamId: streamIds.replica(v.uid),
          expected: v.expectedVersion,
          events: [event('ReplicaDeletionRequested', { reason: DeletionReason.Preempted })],
        })),
      })),
    ];
    if (plan.unschedulable.length <= 20) {
      for (const u of plan.unschedulable) this.logger.log({ msg: 'replica unschedulable', replica: u.uid, reason: 'FailedScheduling', message: u.message });
    } else {
      this.logger.log({ msg: 'replicas unschedulable', reason: 'FailedScheduling', replicas: plan.unschedulable.length, example: plan.unschedulable[0].message });
    }
    for (const p of plan.preemptions) this.logger.log({ msg: 'preempting', replica: p.preemptor, node: p.node, victims: p.victims.map((v) => v.uid) });
    const conflicts = new Set((await this.commit('placement', units)).map((u) => u.label));
    const boundAt = this.clock();
    const bound = units.filter((u) => createdAt.has(u.tag) && !conflicts.has(u.label));
    for (const unit of bound) this.metrics.schedulingLatency.observe(Math.max(0, boundAt - (createdAt.get(unit.tag) ?? boundAt)) / 1000);
    this.metrics.placements.inc(bound.length);
    if (plan.failed > 0) this.metrics.unschedulable.inc(plan.failed);
    this.metrics.preemptions.inc(plan.preemptions.reduce((n, p) => n + p.victims.length, 0));
    if (bound.length > 0 || plan.failed > 0) this.logger.debug({ msg: 'placement pass', bound: bound.length, unschedulable: plan.failed, pending: this.state.index.pending.size });
    if (conflicts.size > 0) {
      for (const unit of units) if (conflicts.has(unit.label) && unit.tag) this.queue.forget(unit.tag);
      this.kick();
    }
    end();
  }

  /** Appends, then waits until the state reflects what was written; returns the units refused as stale. */
  private async commit(phase: string, units: TaggedUnit[]): Promise<TaggedUnit[]> {
    if (units.length === 0) return [];
    const result = await this.executor.execute(units);
    if (result.lastPosition > 0) await this.follower.waitFor(result.lastPosition);
    if (result.conflicts.length > 0) {
      this.metrics.conflicts.inc({ phase }, result.conflicts.length);
      this.logger.log({ msg: 'state was stale, re-evaluating', phase, refused: result.conflicts.length });
      await this.follower.catchUp();
    }
    return result.conflicts;
  }

  private armTimer(): void {
    if (this.stopped) return;
    let next: number | undefined = this.lastResync + this.settings.resyncIntervalMs;
    const consider = (at: number | undefined) => {
      if (at !== undefined && (next === undefined || at < next)) next = at;
    };
    for (const at of this.requeue.values()) consider(at);
    consider(this.lifecycleDueAt);
    consider(this.queue.nextDueAt());
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.kick();
      },
      Math.max(1, next - this.clock()),
    );
  }
}
