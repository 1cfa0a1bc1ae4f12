import { Pool, PoolClient } from 'pg';
import { quoteIdent } from '../sql-names';
import { MetricsAnswer, MetricsItem, MetricsQuery } from '@berth/contracts';

export interface ReplicaSample {
  replicaUid: string;
  node: string;
  at: Date;
  cpuPercent: number;
  memoryBytes: number;
}

export interface ServiceSample {
  /** `namespace/name`. */
  service: string;
  node: string;
  at: Date;
  /** The span the counts cover. */
  windowSeconds: number;
  requests: number;
  errors: number;
  latencyAvgMs: number;
  latencyP95Ms: number;
  latencyMaxMs: number;
}

export interface MetricsRetention {
  /** Raw samples older than this (whole minutes) are deleted. */
  rawMinutes: number;
  /** 1-minute rollups older than this are deleted. */
  rollupHours: number;
  /** Samples may arrive this late and still count in their minute's rollup (default 2). */
  lateMinutes?: number;
}

export interface RollupResult {
  replicaMinutes: number;
  serviceMinutes: number;
  prunedRaw: number;
  prunedRollups: number;
}

const MAX_ITEMS = 5_000;

function aggregateSql(aggregate: MetricsQuery['aggregate'], column: string): string {
  if (aggregate === 'max') return `max(${column})`;
  if (aggregate === 'p95') return `percentile_cont(0.95) WITHIN GROUP (ORDER BY ${column})`;
  return `avg(${column})`;
}

interface ItemRow {
  name: string;
  samples: number;
  cpu: number | null;
  mem: number | null;
  rps: number | null;
  error_rate: number | null;
  latency: number | null;
}

/**
 * Usage metrics in Postgres, outside the event log: batched inserts of raw samples, a periodic
 * rollup into 1-minute rows with retention, and window queries (raw, or rollups when the window
 * reaches past the raw retention).
 */
export class MetricsStore {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
    private readonly rawRetentionMinutes = 60,
  ) {
    this.s = quoteIdent(schema);
  }

  /** One INSERT for the whole batch. */
  async insertReplicaSamples(samples: ReplicaSample[]): Promise<number> {
    if (samples.length === 0) return 0;
    const result = await this.pool.query(
      `INSERT INTO ${this.s}.replica_metrics (replica_uid, node, at, cpu_percent, memory_bytes)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::float8[])`,
      [
        samples.map((x) => x.replicaUid),
        samples.map((x) => x.node),
        samples.map((x) => x.at.toISOString()),
        samples.map((x) => x.cpuPercent),
        samples.map((x) => x.memoryBytes),
      ],
    );
    return result.rowCount ?? 0;
  }

  async insertServiceSamples(samples: ServiceSample[]): Promise<number> {
    if (samples.length === 0) return 0;
    const result = await this.pool.query(
      `INSERT INTO ${this.s}.service_metrics (service, node, at, window_seconds, requests, errors, latency_avg_ms, latency_p95_ms, latency_max_ms)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::bigint[], $6::bigint[], $7::float8[], $8::float8[], $9::float8[])`,
      [
        samples.map((x) => x.service),
        samples.map((x) => x.node),
        samples.map((x) => x.at.toISOString()),
        samples.map((x) => x.windowSeconds),
        samples.map((x) => Math.round(x.requests)),
        samples.map((x) => Math.round(x.errors)),
        samples.map((x) => x.latencyAvgMs),
        samples.map((x) => x.latencyP95Ms),
        samples.map((x) => x.latencyMaxMs),
      ],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Rolls complete minutes up (from the last watermark, minus the lateness allowance, so it is
   * idempotent), then deletes raw minutes past retention and old rollups. Several monitor copies
   * may call it: one runs, the others get null.
   */
  async rollupAndPrune(retention: MetricsRetention, now: Date = new Date()): Promise<RollupResult | null> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [`berth-metrics-rollup:${this.schema}`]);
      if (!lock.rows[0]?.ok) {
        await client.query('COMMIT');
        return null;
      }
      const result = await this.rollupLocked(client, retention, now);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async query(query: MetricsQuery, now: Date = new Date()): Promise<MetricsAnswer> {
    const source = query.windowSeconds > this.rawRetentionMinutes * 60 ? 'rollup' : 'raw';
    const params = [now.toISOString(), query.windowSeconds, query.names, MAX_ITEMS];
    const sql = source === 'raw' ? this.rawSql(query) : this.rollupSql(query);
    const rows = (await this.pool.query<ItemRow>(sql, params)).rows;
    return {
      kind: query.kind,
      aggregate: query.aggregate,
      windowSeconds: query.windowSeconds,
      source,
      at: now.getTime(),
      items: rows.map((row) => toItem(query.kind, row)),
    };
  }

  private async rollupLocked(client: PoolClient, retention: MetricsRetention, now: Date): Promise<RollupResult> {
    const late = retention.lateMinutes ?? 2;
    const state = await client.query<{ rolled_until: Date }>(`SELECT rolled_until FROM ${this.s}.metrics_rollups WHERE name = 'minutes'`);
    const watermark = state.rows[0]?.rolled_until ?? null;
    // $1 = from (inclusive), $2 = to (exclusive): complete minutes only.
    const range = [watermark ? new Date(watermark.getTime() - late * 60_000).toISOString() : '-infinity', now.toISOString()];
    const replica = await client.query(
      `INSERT INTO ${this.s}.replica_metrics_1m AS r (replica_uid, minute, node, samples, cpu_avg, cpu_max, memory_avg, memory_max)
       SELECT replica_uid, date_trunc('minute', at), max(node), count(*), avg(cpu_percent), max(cpu_percent), avg(memory_bytes), max(memory_bytes)
       FROM ${this.s}.replica_metrics
       WHERE at >= $1::timestamptz AND at < date_trunc('minute', $2::timestamptz)
       GROUP BY replica_uid, date_trunc('minute', at)
       ON CONFLICT (replica_uid, minute) DO UPDATE SET node = EXCLUDED.node, samples = EXCLUDED.samples,
         cpu_avg = EXCLUDED.cpu_avg, cpu_max = EXCLUDED.cpu_max, memory_avg = EXCLUDED.memory_avg, memory_max = EXCLUDED.memory_max`,
      range,
    );
    const service = await client.query(
      `INSERT INTO ${this.s}.service_metrics_1m AS r (service, minute, samples, requests, errors, latency_avg_ms, latency_p95_ms, latency_max_ms)
       SELECT service, date_trunc('minute', at), count(*), sum(requests), sum(errors),
              coalesce(sum(latency_avg_ms * requests) / nullif(sum(requests), 0), 0), max(latency_p95_ms), max(latency_max_ms)
       FROM ${this.s}.service_metrics
       WHERE at >= $1::timestamptz AND at < date_trunc('minute', $2::timestamptz)
       GROUP BY service, date_trunc('minute', at)
       ON CONFLICT (service, minute) DO UPDATE SET samples = EXCLUDED.samples, requests = EXCLUDED.requests, errors = EXCLUDED.errors,
         latency_avg_ms = EXCLUDED.latency_avg_ms, latency_p95_ms = EXCLUDED.latency_p95_ms, latency_max_ms = EXCLUDED.latency_max_ms`,
      range,
    );
    await client.query(
      `INSERT INTO ${this.s}.metrics_rollups (name, rolled_until) VALUES ('minutes', date_trunc('minute', $1::timestamptz))
       ON CONFLICT (name) DO UPDATE SET rolled_until = EXCLUDED.rolled_until`,
      [now.toISOString()],
    );
    // Whole minutes only, so a minute still in the raw table is always complete for a re-rollup.
    const rawCutoff = [now.toISOString(), retention.rawMinutes];
    const prunedReplica = await client.query(
      `DELETE FROM ${this.s}.replica_metrics WHERE at < date_trunc('minute', $1::timestamptz - make_interval(mins => $2::int))`,
      rawCutoff,
    );
    const prunedService = await client.query(
      `DELETE FROM ${this.s}.service_metrics WHERE at < date_trunc('minute', $1::timestamptz - make_interval(mins => $2::int))`,
      rawCutoff,
    );
    const rollupCutoff = [now.toISOString(), retention.rollupHours];
    const prunedReplicaRollups = await client.query(
      `DELETE FROM ${this.s}.replica_metrics_1m WHERE minute < date_trunc('minute', $1::timestamptz - make_interval(hours => $2::int))`,
      rollupCutoff,
    );
    const prunedServiceRollups = await client.query(
      `DELETE FROM ${this.s}.service_metrics_1m WHERE minute < date_trunc('minute', $1::timestamptz - make_interval(hours => $2::int))`,
      rollupCutoff,
    );
    return {
      replicaMinutes: replica.rowCount ?? 0,
      serviceMinutes: service.rowCount ?? 0,
      prunedRaw: (prunedReplica.rowCount ?? 0) + (prunedService.rowCount ?? 0),
      prunedRollups: (prunedReplicaRollups.rowCount ?? 0) + (prunedServiceRollups.rowCount ?? 0),
    };
  }

  // Parameters of both: $1 now, $2 window seconds, $3 names (empty = all), $4 row limit.
  private rawSql(query: MetricsQuery): string {
    const window = `at > $1::timestamptz - make_interval(secs => $2::float8) AND at <= $1::timestamptz`;
    const agg = (column: string) => `${aggregateSql(query.aggregate, column)}::float8`;
    if (query.kind === 'replica') {
      return `SELECT replica_uid AS name, count(*)::int AS samples, ${agg('cpu_percent')} AS cpu, ${agg('memory_bytes')} AS mem
        FROM ${this.s}.replica_metrics
        WHERE ${window} AND (cardinality($3::text[]) = 0 OR replica_uid = ANY($3::text[]))
        GROUP BY replica_uid ORDER BY replica_uid LIMIT $4`;
    }
    if (query.kind === 'node') {
      // A node's usage at one instant is the sum over the replicas of one stats message.
      return `WITH per_sample AS (
          SELECT node, at, sum(cpu_percent) AS cpu, sum(memory_bytes) AS mem FROM ${this.s}.replica_metrics
          WHERE ${window} AND (cardinality($3::text[]) = 0 OR node = ANY($3::text[]))
          GROUP BY node, at)
        SELECT node AS name, count(*)::int AS samples, ${agg('cpu')} AS cpu, ${agg('mem')} AS mem
        FROM per_sample GROUP BY node ORDER BY node LIMIT $4`;
    }
    const latency =
      query.aggregate === 'avg'
        ? 'sum(latency_avg_ms * requests) / nullif(sum(requests), 0)'
        : query.aggregate === 'max'
          ? 'max(latency_max_ms)'
          : 'percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_p95_ms)';
    return `SELECT service AS name, count(*)::int AS samples, (sum(requests) / $2::float8)::float8 AS rps,
        (sum(errors)::float8 / nullif(sum(requests), 0))::float8 AS error_rate, (${latency})::float8 AS latency
      FROM ${this.s}.service_metrics
      WHERE ${window} AND (cardinality($3::text[]) = 0 OR service = ANY($3::text[]))
      GROUP BY service ORDER BY service LIMIT $4`;
  }

  private rollupSql(query: MetricsQuery): string {
    const window = `minute > $1::timestamptz - make_interval(secs => $2::float8) AND minute <= $1::timestamptz`;
    if (query.kind === 'replica') {
      const cpu =
        query.aggregate === 'avg' ? 'sum(cpu_avg * samples) / sum(samples)' : query.aggregate === 'max' ? 'max(cpu_max)' : aggregateSql('p95', 'cpu_avg');
      const mem =
        query.aggregate === 'avg'
          ? 'sum(memory_avg * samples) / sum(samples)'
          : query.aggregate === 'max'
            ? 'max(memory_max)'
            : aggregateSql('p95', 'memory_avg');
      return `SELECT replica_uid AS name, sum(samples)::int AS samples, (${cpu})::float8 AS cpu, (${mem})::float8 AS mem
        FROM ${this.s}.replica_metrics_1m
        WHERE ${window} AND (cardinality($3::text[]) = 0 OR replica_uid = ANY($3::text[]))
        GROUP BY replica_uid ORDER BY replica_uid LIMIT $4`;
    }
    if (query.kind === 'node') {
      return `WITH per_minute AS (
          SELECT node, minute, sum(cpu_avg) AS cpu, sum(memory_avg) AS mem FROM ${this.s}.replica_metrics_1m
          WHERE ${window} AND (cardinality($3::text[]) = 0 OR node = ANY($3::text[]))
          GROUP BY node, minute)
        SELECT node AS name, count(*)::int AS samples, ${aggregateSql(query.aggregate, 'cpu')}::float8 AS cpu,
          ${aggregateSql(query.aggregate, 'mem')}::float8 AS mem
        FROM per_minute GROUP BY node ORDER BY node LIMIT $4`;
    }
    const latency =
      query.aggregate === 'avg'
        ? 'sum(latency_avg_ms * requests) / nullif(sum(requests), 0)'
        : query.aggregate === 'max'
          ? 'max(latency_max_ms)'
          : 'percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_p95_ms)';
    return `SELECT service AS name, sum(samples)::int AS samples, (sum(requests) / $2::float8)::float8 AS rps,
        (sum(errors)::float8 / nullif(sum(requests), 0))::float8 AS error_rate, (${latency})::float8 AS latency
      FROM ${this.s}.service_metrics_1m
      WHERE ${window} AND (cardinality($3::text[]) = 0 OR service = ANY($3::text[]))
      GROUP BY service ORDER BY service LIMIT $4`;
  }
}

function toItem(kind: MetricsQuery['kind'], row: ItemRow): MetricsItem {
  if (kind === 'service') {
    return {
      name: row.name,
      samples: row.samples,
      requestsPerSecond: row.rps ?? 0,
      errorRate: row.error_rate ?? 0,
      ...(row.latency === null ? {} : { latencyMs: row.latency }),
    };
  }
  return { name: row.name, samples: row.samples, cpuPercent: row.cpu ?? 0, memoryBytes: row.mem ?? 0 };
}
