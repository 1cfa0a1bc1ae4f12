import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { DesiredReplica, DesiredState } from '@berth/contracts';
import { ContainerRuntimeError, type ContainerRuntime, type HostPortRange, type RuntimeEventSubscription } from '@berth/docker-runtime';
import { ContainerProbes, type NotReadyReason } from '../probes/container-probes';
import type { ProbeRunner } from '../probes/probe-runner';
import type { ReportDraft } from '../reports/report-outbox';
import type { AgentMetrics } from '../shared/agent-metrics';
import { ExponentialBackoff } from '../shared/backoff';
import { ConcurrencyLimiter } from '../shared/concurrency-limiter';
import { factReportId, randomReportId } from '../shared/report-id';
import type { CancelTimer, TimerQueue } from '../shared/timer-queue';
import { namedPorts, toContainerSpec } from './container-spec.mapper';
import { classifyCreateFailure } from './create-failure';
import { ObservedContainers, type ObservedContainer } from './observed-containers';
import { planReconcile, type ReconcileAction } from './reconcile-planner';
import { ReplicaRecord } from './replica-record';
import { ranFor, shouldRestart } from './restart-policy';

export interface ReportSink {
  emit(draft: ReportDraft): unknown;
}

export interface NodeReconcilerOptions {
  node: string;
  /** The advertise address: ports are published and probed there. */
  hostIp: string;
  hostPortRange: HostPortRange;
  runtime: ContainerRuntime;
  probeRunner: ProbeRunner;
  reports: ReportSink;
  timers: TimerQueue;
  metrics?: AgentMetrics;
  /** Creations and removals in flight at once. */
  concurrency: number;
  restartBackoff: { initialMs: number; maxMs: number; resetAfterMs: number };
  resyncIntervalMs: number;
  /** Awaited before a no-longer-desired replica's live container is stopped (services: leave rotation first). */
  beforeTerminate?: (uid: string) => Promise<void>;
  /** The service variables of a container about to be created (`position`: the desired set's log position). */
  serviceEnv?: (replica: DesiredReplica, position: number) => Promise<Record<string, string>>;
}

const LIVE = new Set(['running', 'paused', 'restarting']);
const DEFAULT_GRACE_SECONDS = 30;

/**
 * One node's kubelet loop: desired replicas (from the control plane) against the containers the
 * runtime has for this node (kept current by runtime events, repaired by a periodic relist),
 * acting through planReconcile's actions: create, track (probes + started), handle exits with
 * restart backoff, prune duplicates, terminate what is no longer desired.
 */
export class NodeReconciler {
  private readonly logger = new Logger(NodeReconciler.name);
  private readonly observed = new ObservedContainers();
  private readonly records = new Map<string, ReplicaRecord>();
  private readonly desired = new Map<string, DesiredReplica>();
  /** The control plane's terminating replicas on this node (from the last desired set). */
  private readonly terminating = new Set<string>();
  /** Terminating replicas whose stop this agent has reported: not confirmed again while still listed. */
  private readonly stopsReported = new Set<string>();
  private readonly probes = new Map<string, ContainerProbes>();
  private readonly limiter: ConcurrencyLimiter;
  private readonly backoffOptions: { initialMs: number; maxMs: number };
  private desiredPosition = -1;
  private desiredKnown = false;
  private synced = false;
  private stopped = false;
  private passScheduled = false;
  private wake?: { at: number; cancel: CancelTimer };
  private cancelResync?: CancelTimer;
  private subscription?: RuntimeEventSubscription;
  private lastEventAt?: Date;
  private firstSync?: Promise<void>;

  constructor(private readonly options: NodeReconcilerOptions) {
    this.limiter = new ConcurrencyLimiter(options.concurrency);
    this.backoffOptions = { initialMs: options.restartBackoff.initialMs, maxMs: options.restartBackoff.maxMs };
  }

  get node(): string {
    return this.options.node;
  }

  /** Follows the runtime's events and takes the first inventory (adoption); resolves once it has one. */
  start(): Promise<void> {
    this.firstSync ??= new Promise<void>((resolve) => void this.watch(resolve));
    this.scheduleResync();
    return this.firstSync;
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.close();
    this.cancelResync?.();
    this.wake?.cancel();
    for (const probes of this.probes.values()) probes.stop();
    this.probes.clear();
  }

  /** A full desired set (reply or update); an older one than we have is ignored. */
  applyDesired(state: DesiredState): boolean {
    if (state.position < this.desiredPosition) return false;
    this.desiredPosition = state.position;
    this.desiredKnown = true;
    this.desired.clear();
    for (const replica of state.replicas) {
      this.desired.set(replica.uid, replica);
      this.record(replica.uid).spec = replica;
    }
    this.terminating.clear();
    for (const uid of state.terminating ?? []) this.terminating.add(uid);
    // Once the log has the stop the control plane stops listing the replica: forget it then.
    for (const uid of this.stopsReported) if (!this.terminating.has(uid)) this.stopsReported.delete(uid);
    this.requestReconcile();
    return true;
  }

  get position(): number {
    return this.desiredPosition;
  }

  /** Running, tracked containers of desired replicas: what stats and the heartbeat count. */
  runningReplicas(): { replicaUid: string; containerId: string }[] {
    const result: { replicaUid: string; containerId: string }[] = [];
    for (const container of this.observed.values()) {
      if (container.status === 'running' && container.tracked && this.desired.has(container.replicaUid)) {
        result.push({ replicaUid: container.replicaUid, containerId: container.id });
      }
    }
    return result;
  }

  /** The container whose logs a replica shows: the running one, else its last. */
  logsContainer(replicaUid: string): string | undefined {
    const containers = this.observed.ofReplica(replicaUid);
    return (containers.find((c) => LIVE.has(c.status)) ?? containers[0])?.id;
  }

  containersByState(): Record<string, number> {
    return this.observed.countByState();
  }

  requestReconcile(): void {
    if (this.passScheduled || this.stopped) return;
    this.passScheduled = true;
    // Coalesces a burst of events and completions into one pass.
    setImmediate(() => {
      this.passScheduled = false;
      this.reconcile();
    });
  }

  private reconcile(): void {
    if (this.stopped || !this.synced) return;
    const began = performance.now();
    for (const container of this.observed.values()) {
      const record = this.records.get(container.replicaUid);
      if (record && container.attempt > record.lastAttempt) record.lastAttempt = container.attempt;
    }
    const terminating = [...this.terminating].filter((uid) => !this.stopsReported.has(uid));
    const plan = planReconcile({ now: Date.now(), desiredKnown: this.desiredKnown, desired: this.desired, containers: this.observed.values(), replicas: this.records, terminating });
    for (const action of plan.actions) this.dispatch(action);
    if (plan.wakeAt !== undefined) this.wakeAt(plan.wakeAt);
    this.options.metrics?.reconcileDuration.observe((performance.now() - began) / 1000);
  }

  private dispatch(action: ReconcileAction): void {
    const record = this.records.get(action.replicaUid);
    if (record?.busy) return;
    this.logger.debug({ msg: 'reconcile action', node: this.node, replica: action.replicaUid, action: action.type, ...('attempt' in action ? { attempt: action.attempt } : {}) });
    switch (action.type) {
      case 'create':
        void this.create(this.record(action.replicaUid), action.attempt);
        return;
      case 'track':
        void this.track(action.containerId);
        return;
      case 'handleExit':
        this.handleExit(action.containerId);
        return;
      case 'prune':
        void this.removeAll(this.record(action.replicaUid), action.containerIds, false);
        return;
      case 'terminate':
        void this.removeAll(this.record(action.replicaUid), action.containerIds, true);
        return;
    }
  }

  private async create(record: ReplicaRecord, attempt: number): Promise<void> {
    const spec = record.spec;
    if (!spec) return;
    const done = record.begin();
    const began = Date.now();
    const container = spec.containers[0];
    try {
      const serviceEnv = await this.serviceEnvOf(spec);
      const containerSpec = toContainerSpec(spec, attempt, { node: this.node, hostIp: this.options.hostIp, hostPortRange: this.options.hostPortRange }, serviceEnv);
      const started = await this.limiter.run(async () => {
        await this.options.runtime.ensureImage(container.image, container.imagePullPolicy);
        return this.options.runtime.createAndStart(containerSpec);
      });
      this.options.metrics?.operationDuration.observe({ operation: 'create' }, (Date.now() - began) / 1000);
      record.lastAttempt = Math.max(record.lastAttempt, attempt);
      record.createBackoff.reset();
      record.lastFailureReason = undefined;
      const observed = this.observed.recordStarted(spec.uid, attempt, started, spec.terminationGracePeriodSeconds);
      if (this.desired.has(spec.uid)) await this.track(observed.id);
    } catch (error) {
      this.createFailed(record, error);
    } finally {
      done();
      this.requestReconcile();
    }
  }

  /** Never fails a creation: without its services' variables a container still runs. */
  private async serviceEnvOf(replica: DesiredReplica): Promise<Record<string, string>> {
    if (!this.options.serviceEnv) return {};
    try {
      return await this.options.serviceEnv(replica, this.desiredPosition);
    } catch (error) {
      this.logger.warn({ msg: 'service variables not set', node: this.node, replica: replica.uid, error: String(error) });
      return {};
    }
  }

  private createFailed(record: ReplicaRecord, error: unknown): void {
    const failure = classifyCreateFailure(error);
    const delay = record.createBackoff.next();
    record.nextStartAt = Date.now() + delay;
    this.logger.warn({ msg: 'container create failed', node: this.node, replica: record.uid, reason: failure.reason, error: failure.message, retryInMs: delay });
    if (failure.nameConflict) {
      // A container we do not know of holds the name: relist rather than report.
      this.relist().catch((relistError: unknown) => this.logger.warn({ msg: 'relist failed', node: this.node, error: String(relistError) }));
      return;
    }
    this.options.metrics?.createFailures.inc({ reason: failure.reason });
    if (failure.runtimeDown || failure.reason === record.lastFailureReason) return;
    record.lastFailureReason = failure.reason;
    this.options.reports.emit({ reportId: randomReportId(), replicaUid: record.uid, kind: 'failed', reason: failure.reason, message: failure.message });
  }

  /** Reports a running container started and starts its probes (new, or adopted after an agent restart). */
  private async track(containerId: string): Promise<void> {
    const container = this.observed.get(containerId);
    if (!container || container.tracked) return;
    container.tracked = true;
    if (!container.hostPorts) {
      try {
        const info = await this.options.runtime.inspect(containerId);
        this.observed.update(info);
      } catch (error) {
        container.tracked = false;
        this.logger.warn({ msg: 'inspect failed', node: this.node, container: containerId, error: String(error) });
        return;
      }
    }
    const spec = this.records.get(container.replicaUid)?.spec;
    if (!spec || this.stopped) return;
    this.options.reports.emit({
      reportId: factReportId(this.node, containerId, 'started'),
      replicaUid: container.replicaUid,
      kind: 'started',
      at: container.startedAt,
      containerId,
      hostIp: this.options.hostIp,
      hostPorts: { ...container.hostPorts },
      restartCount: container.attempt,
    });
    if (container.status === 'running') this.startProbes(container, spec);
  }

  private startProbes(container: ObservedContainer, spec: DesiredReplica): void {
    const probes = new ContainerProbes({
      probes: spec.containers[0],
      target: { containerId: container.id, hostIp: this.options.hostIp, hostPorts: container.hostPorts ?? {}, namedPorts: namedPorts(spec) },
      startedAt: container.startedAt ?? Date.now(),
      runner: this.options.probeRunner,
      timers: this.options.timers,
      onReadiness: (ready, why) => this.readinessChanged(container, ready, why),
      onKill: (kind, message) => void this.killForProbe(container, kind, message),
      onProbeFailure: (kind) => this.options.metrics?.probeFailures.inc({ probe: kind }),
    });
    this.probes.set(container.id, probes);
    probes.start();
  }

  private stopProbes(containerId: string): void {
    this.probes.get(containerId)?.stop();
    this.probes.delete(containerId);
  }

  private readinessChanged(container: ObservedContainer, ready: boolean, why?: NotReadyReason): void {
    const record = this.records.get(container.replicaUid);
    if (!record || this.observed.get(container.id)?.status !== 'running') return;
    record.ready = ready;
    this.options.reports.emit({ replicaUid: container.replicaUid, kind: ready ? 'ready' : 'notReady', containerId: container.id, ...why });
  }

  /** A liveness or startup probe gave up: kill it; its exit then restarts it under the restart policy. */
  private async killForProbe(container: ObservedContainer, kind: 'liveness' | 'startup', message: string): Promise<void> {
    const record = this.records.get(container.replicaUid);
    if (!record) return;
    this.logger.log({ msg: 'killing container', node: this.node, replica: container.replicaUid, container: container.id, probe: kind, reason: message });
    container.killedBecause = message;
    const done = record.begin();
    try {
      await this.options.runtime.stop(container.id, this.gracePeriod(container, record));
    } catch (error) {
      this.logger.warn({ msg: 'kill failed', node: this.node, container: container.id, error: String(error) });
    } finally {
      done();
      this.requestReconcile();
    }
  }

  private handleExit(containerId: string): void {
    const container = this.observed.get(containerId);
    const record = container && this.records.get(container.replicaUid);
    if (!container || !record?.spec || container.exitHandled) return;
    container.exitHandled = true;
    this.stopProbes(containerId);
    record.ready = false;
    const exit = container.exit ?? { reason: 'Error', exitCode: -1, oomKilled: false };
    const now = Date.now();
    if (shouldRestart(record.spec.restartPolicy, exit)) {
      // A container that ran healthy long enough starts its backoff over (CrashLoopBackOff reset).
      if (ranFor(container.startedAt, container.finishedAt) >= this.options.restartBackoff.resetAfterMs) record.restartBackoff.reset();
      record.nextStartAt = now + record.restartBackoff.next();
      record.terminated = false;
      this.options.metrics?.restarts.inc({ reason: exit.reason });
    } else {
      record.terminated = true;
    }
    this.options.reports.emit({
      reportId: factReportId(this.node, containerId, 'exited'),
      replicaUid: container.replicaUid,
      kind: 'exited',
      at: container.finishedAt ?? now,
      containerId,
      exitCode: exit.exitCode,
      reason: exit.reason,
      restartCount: container.attempt,
      ...(container.killedBecause || exit.message ? { message: container.killedBecause ?? exit.message } : {}),
    });
    // The restart (or not) is decided: plan again to schedule it.
    this.requestReconcile();
  }

  /** Stops and removes containers; for a replica no longer desired, reports it stopped and forgets it. */
  private async removeAll(record: ReplicaRecord, containerIds: string[], terminate: boolean): Promise<void> {
    const done = record.begin();
    const containers = containerIds.map((id) => this.observed.get(id)).filter((c): c is ObservedContainer => c !== undefined);
    const failed: unknown[] = [];
    if (terminate && this.options.beforeTerminate && containers.some((c) => LIVE.has(c.status))) {
      await this.options.beforeTerminate(record.uid).catch((error: unknown) => this.logger.warn({ msg: 'before-terminate hook failed', node: this.node, replica: record.uid, error: String(error) }));
    }
    await Promise.all(
      containers.map(async (container) => {
        this.stopProbes(container.id);
        const began = Date.now();
        try {
          if (LIVE.has(container.status)) await this.options.runtime.stop(container.id, this.gracePeriod(container, record));
          await this.limiter.run(() => this.options.runtime.remove(container.id));
          this.observed.forget(container.id);
          this.options.metrics?.operationDuration.observe({ operation: 'remove' }, (Date.now() - began) / 1000);
        } catch (error) {
          if (error instanceof ContainerRuntimeError && error.reason === 'ContainerNotFound') this.observed.forget(container.id);
          else failed.push(error);
        }
      }),
    );
    if (failed.length) {
      this.logger.warn({ msg: 'container removal failed', node: this.node, replica: record.uid, error: String(failed[0]) });
      // Stay busy for a backoff so a broken engine is not hammered every pass.
      this.options.timers.schedule(record.createBackoff.next(), () => {
        done();
        this.requestReconcile();
      });
      return;
    }
    if (terminate) {
      const last = containers[0];
      this.options.reports.emit({
        reportId: factReportId(this.node, record.uid, last?.id ?? '-', 'stopped'),
        replicaUid: record.uid,
        kind: 'stopped',
        ...(last ? { containerId: last.id } : {}),
        ...(last?.exit ? { exitCode: last.exit.exitCode } : {}),
        restartCount: Math.max(0, record.lastAttempt),
      });
      this.stopsReported.add(record.uid);
      if (!this.desired.has(record.uid)) this.records.delete(record.uid);
    }
    done();
    this.requestReconcile();
  }

  private gracePeriod(container: ObservedContainer, record: ReplicaRecord): number {
    return record.spec?.terminationGracePeriodSeconds ?? container.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  }

  private record(uid: string): ReplicaRecord {
    let record = this.records.get(uid);
    if (!record) this.records.set(uid, (record = new ReplicaRecord(uid, this.backoffOptions)));
    return record;
  }

  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    this.wake?.cancel();
    this.wake = {
      at,
      cancel: this.options.timers.schedule(at - Date.now(), () => {
        this.wake = undefined;
        this.requestReconcile();
      }),
    };
  }

  /** Subscribe, then list (so nothing between the two is missed), then follow; again after the stream breaks. */
  private async watch(firstSynced: () => void): Promise<void> {
    const backoff = new ExponentialBackoff({ initialMs: 200, maxMs: 5_000, jitter: 0.2 });
    while (!this.stopped) {
      try {
        const since = this.lastEventAt ? new Date(this.lastEventAt.getTime() - 1_000) : undefined;
        this.subscription = await this.options.runtime.events({ node: this.node, ...(since ? { since } : {}) });
        if (this.stopped) break;
        await this.relist();
        firstSynced();
        backoff.reset();
        for await (const event of this.subscription) {
          this.lastEventAt = event.at;
          if (this.observed.applyEvent(event)) this.requestReconcile();
        }
      } catch (error) {
        if (!this.stopped) this.logger.warn({ msg: 'runtime event stream failed', node: this.node, error: String(error) });
      }
      if (this.stopped) break;
      await new Promise((resolve) => this.options.timers.schedule(backoff.next(), () => resolve(undefined)));
    }
  }

  private async relist(): Promise<void> {
    const listedAt = Date.now();
    const containers = await this.options.runtime.list({ node: this.node });
    this.observed.merge(containers, listedAt);
    if (!this.synced) {
      this.synced = true;
      if (containers.length) this.logger.log({ msg: 'adopting containers', node: this.node, containers: containers.length });
    }
    this.requestReconcile();
  }

  private scheduleResync(): void {
    if (this.stopped) return;
    const interval = this.options.resyncIntervalMs;
    // Spread hollow nodes' relists over the interval instead of all at once.
    this.cancelResync = this.options.timers.schedule(interval * (0.75 + Math.random() * 0.5), () => {
      this.relist()
        .catch((error: unknown) => this.logger.warn({ msg: 'resync failed', node: this.node, error: String(error) }))
        .finally(() => this.scheduleResync());
    });
  }
}
