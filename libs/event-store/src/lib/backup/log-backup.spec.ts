import { randomUUID } from 'node:crypto';
import { NewEvent } from '@berth/contracts';
import { createTestDatabase, TestDatabase } from '@berth/testing';
import { IdempotencyConflict, WrongExpectedVersion } from '../errors';
import { BACKUP_FORMAT, BackupEncoder, ExportRow, openBackup } from './backup-format';
import { EventLogNotEmpty, InvalidBackup, NoEventLog } from './backup.errors';
import { exportEventLog, logSchemaVersion } from './log-export';
import { importEvents } from './log-import';
import { positionAtTime } from './log-history';

jest.setTimeout(120_000);

/** Every column of every row, as text: what "identical" means. */
async function dumpRows(db: TestDatabase): Promise<string[]> {
  const result = await db.pool.query<{ row: string }>(
    `SELECT concat_ws('|', global_position, stream_id, stream_version, event_id, type, data::text, metadata::text, recorded_at::text) AS row
     FROM "${db.options.schema}".events ORDER BY global_position`,
  );
  return result.rows.map((r) => r.row);
}

async function backupOf(db: TestDatabase, batchSize?: number): Promise<{ text: string; progress: number[] }> {
  const progress: number[] = [];
  const exported = await exportEventLog(db.pool, db.options.schema, { batchSize, database: 'postgres', onProgress: (written) => progress.push(written) });
  let text = '';
  for await (const chunk of exported.chunks) text += chunk;
  return { text, progress };
}

async function restore(db: TestDatabase, text: string, batchSize = 500) {
  const backup = await openBackup([Buffer.from(text)], batchSize);
  return importEvents(db.pool, db.options.schema, backup.batches, { expect: { count: backup.header.count, lastPosition: backup.header.lastPosition } });
}

const scaled = (replicas: number): NewEvent => ({ type: 'DeploymentScaled', data: { replicas }, metadata: { actor: 'tester', correlationId: randomUUID() } });

describe('event-log backup and restore (real Postgres)', () => {
  let source: TestDatabase;
  let rows: string[];
  let text: string;

  beforeAll(async () => {
    source = await createTestDatabase('bk_src');
    // A few thousand events over many streams, in group commits, with odd payloads and metadata.
    const appends: Promise<unknown>[] = [];
    for (let d = 0; d < 200; d++) {
      const stream = `deployment:default/app-${d}`;
      appends.push(
        source.store.append(stream, 'no_stream', [
          { type: 'DeploymentCreated', data: { manifest: { kind: 'Deployment', metadata: { name: `app-${d}`, annotations: { note: `ünïcode ✓ "q" \\ \n ${d}` } } } } },
          ...Array.from({ length: 14 }, (_, i) => scaled(i)),
        ]),
      );
      appends.push(source.store.append(`replica:${randomUUID()}`, 'no_stream', [{ type: 'ReplicaScheduled', data: { node: `node-${d % 7}` }, metadata: { traceId: 't', nested: { a: [1, 2.5, null, true] } } }]));
    }
    await Promise.all(appends);
    await expect(source.store.append('deployment:default/app-0', 3, [scaled(99)])).rejects.toBeInstanceOf(WrongExpectedVersion);
    // An append that fails after drawing positions (the same event id twice) leaves a gap: the backup must keep it.
    const twice = randomUUID();
    await expect(source.store.append('deployment:default/app-0', 'any', [{ ...scaled(98), eventId: twice }, { ...scaled(99), eventId: twice }])).rejects.toBeInstanceOf(IdempotencyConflict);
    await source.store.append('deployment:default/app-0', 'any', [scaled(100)]);
    rows = await dumpRows(source);
    ({ text } = await backupOf(source, 700));
  });
  afterAll(async () => {
    await source.cleanup();
  });

  it('writes a header with format, log schema, count and last position, then every event, then a checked end line', async () => {
    expect(rows.length).toBe(3201);
    expect(await source.store.headPosition()).toBeGreaterThan(rows.length);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(rows.length + 2);
    const head = await source.store.headPosition();
    expect(JSON.parse(lines[0])).toEqual({
      format: BACKUP_FORMAT,
      formatVersion: 1,
      logSchema: await logSchemaVersion(source.pool, source.options.schema),
      createdAt: expect.any(String),
      source: { database: 'postgres', schema: source.options.schema },
      count: rows.length,
      lastPosition: head,
    });
    expect(JSON.parse(lines[1])).toMatchObject({ globalPosition: 1, streamVersion: 0, recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/) });
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ end: BACKUP_FORMAT, count: rows.length, lastPosition: head });
  });

  it('restores into a fresh schema with identical rows (positions and their gaps, versions, ids, data, metadata, times to the microsecond), and the log continues', async () => {
    const target = await createTestDatabase('bk_dst');
    try {
      const result = await restore(target, text);
      expect(result).toEqual({ count: rows.length, lastPosition: await source.store.headPosition() });
      expect(await dumpRows(target)).toEqual(rows);
      // A backup of the restored log has the same event lines.
      const events = (t: string) => t.split('\n').slice(1, -2);
      expect(events((await backupOf(target)).text)).toEqual(events(text));
      // The position sequence continues after the restored log, and stream versions carry on.
      const next = await target.store.append('deployment:default/app-1', 14, [scaled(7)]);
      expect(next.events[0]).toMatchObject({ globalPosition: result.lastPosition + 1, streamVersion: 15 });
    } finally {
      await target.cleanup();
    }
  });

  it('refuses a schema that already has events and changes nothing there', async () => {
    const target = await createTestDatabase('bk_full');
    try {
      await target.store.append('deployment:default/mine', 'no_stream', [scaled(1)]);
      const before = await dumpRows(target);
      await expect(restore(target, text)).rejects.toThrow(EventLogNotEmpty);
      await expect(restore(target, text)).rejects.toThrow(`the event log in schema "${target.options.schema}" is not empty (its last position is 1): restore only into an empty schema`);
      expect(await dumpRows(target)).toEqual(before);
      expect((await target.store.append('deployment:default/mine', 0, [scaled(2)])).lastPosition).toBe(2);
    } finally {
      await target.cleanup();
    }
  });

  it('rejects a corrupted, truncated or inconsistent file with nothing written, after several batches went in', async () => {
    const target = await createTestDatabase('bk_bad');
    try {
      const lines = text.split('\n');
      const middle = lines.findIndex((line, i) => i > lines.length * 0.7 && line.includes('"replicas":'));
      const corrupted = [...lines.slice(0, middle), lines[middle].replace('"replicas": ', '"replicas": 1'), ...lines.slice(middle + 1)].join('\n');
      const cases: [string, string, RegExp][] = [
        ['truncated at a line end', lines.slice(0, middle).join('\n') + '\n', /it is truncated/],
        ['truncated mid-line', text.slice(0, Math.floor(text.length * 0.8)), /not JSON|truncated/],
        ['one event changed (still valid JSON)', corrupted, /checksum mismatch/],
        ['one event missing', [...lines.slice(0, middle), ...lines.slice(middle + 1)].join('\n'), /streamVersion|events are missing/],
      ];
      for (const [what, file, message] of cases) {
        const failure = await restore(target, file).then(
          () => new Error(`${what}: accepted`),
          (error: Error) => error,
        );
        expect([what, failure]).toEqual([what, expect.any(InvalidBackup)]);
        expect(failure.message).toMatch(message);
        expect(await target.store.headPosition()).toBe(0);
      }
      // A duplicate event id passes the line checks; the database refuses it and the whole restore rolls back.
      const encoder = new BackupEncoder();
      const event = (position: number, id: string): ExportRow => ({
        globalPosition: position,
        streamId: `replica:r${position}`,
        streamVersion: 0,
        eventId: id,
        type: 'ReplicaScheduled',
        dataJson: '{"node": "n"}',
        metadataJson: '{}',
        recordedAt: '2025-01-01T00:00:00.000001Z',
      });
      const id = randomUUID();
      const header = { format: BACKUP_FORMAT, formatVersion: 1, logSchema: 'x', createdAt: '2025-01-01T00:00:00Z', source: { schema: 's' }, count: 2, lastPosition: 2 } as const;
      const duplicate = encoder.header(header) + encoder.rows([event(1, id), event(2, id)]) + encoder.trailer();
      await expect(restore(target, duplicate, 1)).rejects.toThrow(/duplicate in the backup \(events_event_id_key\)/);
      expect(await target.store.headPosition()).toBe(0);
      // Nothing moved the position sequence either: the first append still gets position 1.
      expect((await target.store.append('deployment:default/first', 'no_stream', [scaled(1)])).lastPosition).toBe(1);
    } finally {
      await target.cleanup();
    }
  });

  it('keeps wide gaps in positions and reads past them without walking empty windows', async () => {
    const sparse = await createTestDatabase('bk_gap');
    const copy = await createTestDatabase('bk_gap_dst');
    try {
      const encoder = new BackupEncoder();
      const positions = [1, 2, 3, 250_000, 250_001, 1_000_000];
      const events = positions.map((position, i): ExportRow => ({
        globalPosition: position,
        streamId: 'deployment:default/sparse',
        streamVersion: i,
        eventId: randomUUID(),
        type: 'DeploymentScaled',
        dataJson: `{"replicas": ${i}}`,
        metadataJson: '{}',
        recordedAt: `2025-01-01T00:00:0${i}.00000${i}Z`,
      }));
      const header = { format: BACKUP_FORMAT, formatVersion: 1, logSchema: 'x', createdAt: '2025-01-01T00:00:00Z', source: { schema: 's' }, count: 6, lastPosition: 1_000_000 } as const;
      await restore(sparse, encoder.header(header) + encoder.rows(events) + encoder.trailer());
      const queries = jest.spyOn(sparse.pool, 'query');
      const { text: again, progress } = await backupOf(sparse, 10);
      // Three windows with events and a jump over each gap, not 100,000 windows.
      expect(queries.mock.calls.length).toBeLessThan(20);
      queries.mockRestore();
      expect(progress).toEqual([3, 5, 6]);
      await restore(copy, again);
      expect(await dumpRows(copy)).toEqual(await dumpRows(sparse));
      expect((await copy.store.append('deployment:default/sparse', 5, [scaled(1)])).lastPosition).toBe(1_000_001);
    } finally {
      await copy.cleanup();
      await sparse.cleanup();
    }
  });

  it('backs up a consistent prefix while appends go on', async () => {
    const busy = await createTestDatabase('bk_busy');
    try {
      await busy.store.append('deployment:default/seed', 'no_stream', Array.from({ length: 500 }, (_, i) => scaled(i)));
      let writing = true;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; writing; i++) await busy.store.append(`deployment:default/w${w}`, 'any', [scaled(i)]);
      });
      const { text: live } = await backupOf(busy, 50);
      writing = false;
      await Promise.all(writers);
      const restored = await createTestDatabase('bk_busy_dst');
      try {
        const result = await restore(restored, live);
        const all = await dumpRows(busy);
        expect(result.count).toBeGreaterThanOrEqual(500);
        expect(await dumpRows(restored)).toEqual(all.slice(0, result.count));
      } finally {
        await restored.cleanup();
      }
    } finally {
      await busy.cleanup();
    }
  });

  it('reports progress per page, refuses a schema without a log, and finds the position at a time', async () => {
    const { progress } = await backupOf(source, 1000);
    // One report per window of 1000 positions; the gap makes the last windows hold fewer events.
    expect(progress).toHaveLength(Math.ceil((await source.store.headPosition()) / 1000));
    expect(progress.at(-1)).toBe(rows.length);
    expect(progress.every((n, i) => i === 0 || n > progress[i - 1])).toBe(true);
    await expect(exportEventLog(source.pool, 'no_such_schema')).rejects.toThrow(new NoEventLog('no_such_schema'));
    const events = await source.store.readAll(0, 10);
    expect(await positionAtTime(source.pool, source.options.schema, new Date(events[0].recordedAt.getTime() - 1))).toBe(0);
    expect(await positionAtTime(source.pool, source.options.schema, new Date(Date.now() + 60_000))).toBe(await source.store.headPosition());
  });
});
