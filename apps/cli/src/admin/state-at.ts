import type { CommandContext } from '../cli-context';
import { CliError } from '../commands/cli.errors';
import { toJson, toYaml } from '../output/object.format';
import { withAdminDatabase } from './admin-database';
import { foldUpTo, snapshotOf } from './cluster-snapshot';
import { renderSnapshot } from './snapshot.format';

export interface StateOptions {
  /** A log position, or an RFC 3339 time; absent: the head of the log. */
  at?: string;
  output?: string;
  namespace?: string;
}

export type StateAt = { position: number } | { time: Date } | { head: true };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** `--at 1200` (a position) or `--at 2025-01-31T12:00:00Z` (the last event recorded by then). */
export function parseAt(value: string | undefined): StateAt {
  if (value === undefined) return { head: true };
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return { position: Number(value) };
  if (RFC3339.test(value) && !Number.isNaN(Date.parse(value))) return { time: new Date(value) };
  throw new CliError(`--at: must be a log position (an integer >= 0) or an RFC 3339 time such as 2025-01-31T12:00:00Z, got "${value}"`);
}

function parseFormat(value: string | undefined): 'table' | 'json' | 'yaml' {
  if (value === undefined || value === '' || value === 'table') return 'table';
  if (value === 'json' || value === 'yaml') return value;
  throw new CliError(`-o/--output: must be json or yaml (or left out for tables), got "${value}"`);
}

/** `berth admin state --at <position|time>`: the cluster as the log said it was then, folded like the controllers fold it. */
export async function runState(ctx: CommandContext, options: StateOptions): Promise<void> {
  const at = parseAt(options.at);
  const format = parseFormat(options.output);
  await withAdminDatabase(ctx, { migrate: false }, async (db) => {
    await db.lib.logSchemaVersion(db.pool, db.schema);
    const head = await db.store.headPosition();
    let position: number;
    if ('head' in at) position = head;
    else if ('time' in at) position = await db.lib.positionAtTime(db.pool, db.schema, at.time);
    else position = at.position;
    if (position > head) throw new CliError(`--at ${position} is past the end of the log (its last position is ${head})`);
    const fold = await foldUpTo((after, limit) => db.store.readAll(after, limit), position);
    for (const problem of fold.problems) {
      ctx.err(`warning: event ${problem.position} (${problem.type}) could not be folded and was skipped: ${problem.error}\n`);
    }
    const snapshot = snapshotOf(fold, { position, headPosition: head, namespace: options.namespace });
    if (format === 'json') ctx.out(toJson(snapshot));
    else if (format === 'yaml') ctx.out(toYaml(snapshot));
    else ctx.out(renderSnapshot(snapshot));
  });
}
