import { NatsConnection } from 'nats';
import { MetricsAnswer, metricsAnswerSchema, MetricsQueryInput, parseMessage, Subjects } from '@berth/contracts';

/** Where replica and service metrics come from: the monitor, or a fake in specs. */
export interface MetricsSource {
  query(query: MetricsQueryInput): Promise<MetricsAnswer>;
}

/** Asks the monitor over NATS request/reply; the answer is validated on receipt. */
export class NatsMetricsSource implements MetricsSource {
  constructor(
    private readonly nats: NatsConnection,
    private readonly timeoutMs: number,
  ) {}

  async query(query: MetricsQueryInput): Promise<MetricsAnswer> {
    const reply = await this.nats.request(Subjects.metricsQuery, JSON.stringify(query), { timeout: this.timeoutMs });
    return parseMessage(metricsAnswerSchema, Subjects.metricsQuery, reply.data);
  }
}
