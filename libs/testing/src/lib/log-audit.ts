import { Pool } from 'pg';

/** Replica events that name the node they happened on. */
const NODE_EVENTS = ['ReplicaScheduled', 'ReplicaStarted', 'ReplicaReady', 'ReplicaNotReady', 'ReplicaExited', 'ReplicaStopped'];

export interface LogAudit {
  events: number;
  streams: number;
  /** event_id present more than once. */
  duplicateEventIds: string[];
  /** Streams whose versions are not exactly 0..n-1. */
  streamGaps: { streamId: string; count: number; min: number; max: number }[];
  /** Global positions present more than once. */
  duplicatePositions: number[];
  /** Replica streams with more than one ReplicaScheduled (a replica bound twice). */
  doubleBindings: { streamId: string; bindings: number }[];
  /** Replica streams whose events name more than one node (a replica bound to, or run on, two nodes). */
  replicasOnTwoNodes: { streamId: string; nodes: string[] }[];
  /** Replica streams created more than once. */
  doubleCreations: { streamId: string; creations: number }[];
}

/**
 * Checks the log's structural invariants straight in SQL, after the fact: what a crash in the middle
 * of an append, a retried report or two controllers acting at once would leave behind.
 */
export async function auditLog(pool: Pool, schema: string): Promise<LogAudit> {
  const table = `"${schema.replace(/"/g, '""')}".events`;
  const [totals, duplicateIds, gaps, positions, bindings, nodes, creations] = await Promise.all([
    pool.query<{ events: string; streams: string }>(`SELECT count(*) AS events, count(DISTINCT stream_id) AS streams FROM ${table}`),
    pool.query<{ event_id: string }>(`SELECT event_id FROM ${table} GROUP BY event_id HAVING count(*) > 1`),
    pool.query<{ stream_id: string; count: string; min: number; max: number }>(
      `SELECT stream_id, count(*) AS count, min(stream_version) AS min, max(stream_version) AS max FROM ${table}
       GROUP BY stream_id HAVING min(stream_version) <> 0 OR max(stream_version) <> count(*) - 1 OR count(DISTINCT stream_version) <> count(*)`,
    ),
    pool.query<{ global_position: string }>(`SELECT global_position FROM ${table} GROUP BY global_position HAVING count(*) > 1`),
    pool.query<{ stream_id: string; count: string }>(
      `SELECT stream_id, count(*) AS count FROM ${table} WHERE type = 'ReplicaScheduled' GROUP BY stream_id HAVING count(*) > 1`,
    ),
    pool.query<{ stream_id: string; nodes: string[] }>(
      `SELECT stream_id, array_agg(DISTINCT data->>'node') AS nodes FROM ${table}
       WHERE type = ANY($1) AND data ? 'node' GROUP BY stream_id HAVING count(DISTINCT data->>'node') > 1`,
      [NODE_EVENTS],
    ),
    pool.query<{ stream_id: string; count: string }>(
      `SELECT stream_id, count(*) AS count FROM ${table} WHERE type = 'ReplicaCreated' GROUP BY stream_id HAVING count(*) > 1`,
    ),
  ]);
  return {
    events: Number(totals.rows[0]?.events ?? 0),
    streams: Number(totals.rows[0]?.streams ?? 0),
    duplicateEventIds: duplicateIds.rows.map((r) => r.event_id),
    streamGaps: gaps.rows.map((r) => ({ streamId: r.stream_id, count: Number(r.count), min: r.min, max: r.max })),
    duplicatePositions: positions.rows.map((r) => Number(r.global_position)),
    doubleBindings: bindings.rows.map((r) => ({ streamId: r.stream_id, bindings: Number(r.count) })),
    replicasOnTwoNodes: nodes.rows.map((r) => ({ streamId: r.stream_id, nodes: r.nodes })),
    doubleCreations: creations.rows.map((r) => ({ streamId: r.stream_id, creations: Number(r.count) })),
  };
}

/** One line per broken invariant (empty when the log is sound), for `expect(...).toEqual([])`. */
export function logAuditProblems(audit: LogAudit): string[] {
  return [
    ...audit.duplicateEventIds.map((id) => `duplicate event id ${id}`),
    ...audit.streamGaps.map((g) => `stream ${g.streamId} has versions ${g.min}..${g.max} for ${g.count} events`),
    ...audit.duplicatePositions.map((p) => `duplicate global position ${p}`),
    ...audit.doubleBindings.map((b) => `${b.streamId} bound ${b.bindings} times`),
    ...audit.replicasOnTwoNodes.map((r) => `${r.streamId} on several nodes: ${r.nodes.join(', ')}`),
    ...audit.doubleCreations.map((c) => `${c.streamId} created ${c.creations} times`),
  ];
}
