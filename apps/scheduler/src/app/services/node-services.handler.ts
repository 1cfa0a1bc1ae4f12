import { Logger } from '@nestjs/common';
import { Msg, NatsConnection, Subscription } from 'nats';
import { ClusterState } from '@berth/cluster-state';
import { InvalidMessage, nodeServicesRequestSchema, parseMessage, QueueGroups, Subjects } from '@berth/contracts';
import { nodeServicesJson, servicesOf } from './node-services.builder';

/** Answers NodeServicesRequest on berth.node.*.services; any caught-up scheduler copy may (queue group). */
export class NodeServicesHandler {
  private readonly logger = new Logger(NodeServicesHandler.name);
  private subscription: Subscription | null = null;

  constructor(
    private readonly nats: NatsConnection,
    private readonly state: ClusterState,
    private readonly queue: string = QueueGroups.scheduler,
  ) {}

  start(): void {
    this.subscription ??= this.nats.subscribe(Subjects.anyNodeServices, { queue: this.queue, callback: (_error, msg) => this.handle(msg) });
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription && !this.nats.isClosed()) await subscription.drain().catch(() => undefined);
  }

  handle(msg: Msg): void {
    let body: string;
    try {
      body = this.servicesFor(msg.subject, msg.data);
    } catch (error) {
      if (!(error instanceof InvalidMessage)) throw error;
      this.logger.warn({ msg: 'invalid services request', subject: msg.subject, error: error.message });
      body = JSON.stringify({ error: error.message });
    }
    msg.respond(body);
  }

  /** The node in the body must be the node of the subject (a node-agent may only use its own subjects). */
  servicesFor(subject: string, payload: Uint8Array): string {
    const request = parseMessage(nodeServicesRequestSchema, subject, payload);
    if (Subjects.nodeServices(request.node) !== subject) {
      throw new InvalidMessage(subject, [{ field: 'node', message: `does not match the subject (${subject})` }]);
    }
    return nodeServicesJson(request.node, this.state.position, JSON.stringify(servicesOf(this.state)));
  }
}
