import { connect } from 'nats';
import { Pool } from 'pg';
import { EVENTS_STREAM } from '@berth/contracts';

export interface RelayAudit {
  /** Messages in the JetStream stream. */
  published: number;
  /** Log positions with no message. */
  missing: number[];
  /** Log positions published more than once. */
  duplicated: number[];
  /** Messages whose position is not in the log. */
  unknown: number[];
}

/**
 * Compares the JetStream stream BERTH_EVENTS with the log: every committed event must be there
 * exactly once (its `Nats-Msg-Id` is its global position), whatever crashed in between.
 */
export async function auditRelay(natsUrl: string, pool: Pool, schema: string, stream = EVENTS_STREAM): Promise<RelayAudit> {
  const positions = (await pool.query<{ p: string }>(`SELECT global_position AS p FROM "${schema.replace(/"/g, '""')}".events ORDER BY 1`)).rows.map((r) => Number(r.p));
  const nc = await connect({ servers: natsUrl, name: 'berth-relay-audit' });
  const seen = new Map<number, number>();
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const total = info.state.messages;
    if (total > 0) {
      const consumer = await nc.jetstream().consumers.get(stream);
      let read = 0;
      while (read < total) {
        const batch = await consumer.fetch({ max_messages: Math.min(1_000, total - read), expires: 5_000 });
        let got = 0;
        for await (const message of batch) {
          const position = Number(message.headers?.get('Nats-Msg-Id'));
          seen.set(position, (seen.get(position) ?? 0) + 1);
          got++;
        }
        if (got === 0) break;
        read += got;
      }
    }
  } finally {
    await nc.close();
  }
  const inLog = new Set(positions);
  return {
    published: [...seen.values()].reduce((a, b) => a + b, 0),
    missing: positions.filter((p) => !seen.has(p)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([p]) => p),
    unknown: [...seen.keys()].filter((p) => !inLog.has(p)),
  };
}
