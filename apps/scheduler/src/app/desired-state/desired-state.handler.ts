import { Logger } from '@nestjs/common';
import { Msg, NatsConnection, Subscription } from 'nats';
import { DesiredState, desiredStateRequestSchema, InvalidMessage, parseMessage, QueueGroups, Subjects } from '@berth/contracts';
import { SchedulerMetrics } from '../metrics/scheduler.metrics';
import { DesiredStateService } from './desired-state.service';

/**
 * Answers DesiredStateRequest on berth.node.*.desired with the node's full set (plain JSON over NATS
 * request/reply). Every scheduler copy holds the whole state, so the queue group lets any one answer.
 */
export class DesiredStateHandler {
  private readonly logger = new Logger(DesiredStateHandler.name);
  private subscription: Subscription | null = null;

  constructor(
    private readonly nats: NatsConnection,
    private readonly service: DesiredStateService,
    private readonly metrics: SchedulerMetrics,
    private readonly queue: string = QueueGroups.scheduler,
  ) {}

  start(): void {
    this.subscription ??= this.nats.subscribe(Subjects.anyNodeDesired, { queue: this.queue, callback: (_error, msg) => this.handle(msg) });
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription && !this.nats.isClosed()) await subscription.drain().catch(() => undefined);
  }

  handle(msg: Msg): void {
    let body: DesiredState | { error: string };
    try {
      body = this.desiredFor(msg.subject, msg.data);
      this.metrics.desiredRequests.inc();
    } catch (error) {
      if (!(error instanceof InvalidMessage)) throw error;
      this.logger.warn({ msg: 'invalid desired-state request', subject: msg.subject, error: error.message });
      body = { error: error.message };
    }
    msg.respond(JSON.stringify(body));
  }

  /** The node in the body must be the node of the subject (a node-agent may only use its own subjects). */
  desiredFor(subject: string, payload: Uint8Array): DesiredState {
    const request = parseMessage(desiredStateRequestSchema, subject, payload);
    if (Subjects.nodeDesired(request.node) !== subject) {
      throw new InvalidMessage(subject, [{ field: 'node', message: `does not match the subject (${subject})` }]);
    }
    return this.service.stateFor(request.node);
  }
}
