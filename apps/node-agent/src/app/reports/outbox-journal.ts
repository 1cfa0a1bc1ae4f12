import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nodeReportSchema, type NodeReport } from '@berth/contracts';

export type JournalEntry = { add: NodeReport } | { ack: string };

export interface JournalContents {
  pending: NodeReport[];
  /** Lines that did not parse (a torn last write after a crash). */
  skipped: number;
}

/**
 * The outbox on disk: an append-only JSON-lines file of `{add}` and `{ack}` entries, rewritten
 * with only the unacked reports when it grows (compaction), so a crash of the agent loses nothing.
 * Writes are serialized; a rename makes compaction atomic.
 */
export class OutboxJournal {
  private chain: Promise<void> = Promise.resolve();
  private lines = 0;

  constructor(readonly path: string) {}

  /** Lines in the file now (adds + acks): the compaction trigger. */
  get size(): number {
    return this.lines;
  }

  async load(): Promise<JournalContents> {
    await mkdir(dirname(this.path), { recursive: true });
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { pending: [], skipped: 0 };
      throw error;
    }
    const pending = new Map<string, NodeReport>();
    let skipped = 0;
    let lines = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      lines++;
      const entry = parseEntry(line);
      if (!entry) skipped++;
      else if ('add' in entry) pending.set(entry.add.reportId, entry.add);
      else pending.delete(entry.ack);
    }
    this.lines = lines;
    return { pending: [...pending.values()], skipped };
  }

  append(entries: JournalEntry[]): Promise<void> {
    if (!entries.length) return this.chain;
    const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    return this.enqueue(async () => {
      await appendFile(this.path, text);
      this.lines += entries.length;
    });
  }

  /** Replaces the file with just these reports. */
  compact(pending: NodeReport[]): Promise<void> {
    const text = pending.map((report) => `${JSON.stringify({ add: report })}\n`).join('');
    return this.enqueue(async () => {
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, this.path);
      this.lines = pending.length;
    });
  }

  /** Resolves when every write queued so far is on disk. */
  flushed(): Promise<void> {
    return this.chain;
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    const next = this.chain.then(write);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function parseEntry(line: string): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if ('ack' in value && typeof value.ack === 'string') return { ack: value.ack };
  if ('add' in value) {
    const report = nodeReportSchema.safeParse(value.add);
    if (report.success) return { add: report.data };
  }
  return undefined;
}
