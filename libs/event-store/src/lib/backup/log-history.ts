import { Pool } from 'pg';
import { quoteIdent } from '../sql-names';

/**
 * Position of the last event recorded at or before `time` (0: none yet): the log as it stood then.
 * recorded_at is commit-side and positions are handed out in commit order, so it rises with position.
 */
export async function positionAtTime(pool: Pool, schema: string, time: Date): Promise<number> {
  const result = await pool.query<{ p: string | null }>(
    `SELECT max(global_position) AS p FROM ${quoteIdent(schema)}.events WHERE recorded_at <= $1`,
    [time.toISOString()],
  );
  return Number(result.rows[0]?.p ?? 0);
}
