import fc from 'fast-check';
import { BACKUP_FORMAT, BackupEncoder, BackupHeader, ExportRow, LogRecord, openBackup, splitLines } from './backup-format';
import { InvalidBackup } from './backup.errors';

const header = (count: number, lastPosition: number): BackupHeader => ({
  format: BACKUP_FORMAT,
  formatVersion: 1,
  logSchema: 'AppendCustomPlans1732560000002',
  createdAt: '2025-01-01T00:00:00.000Z',
  source: { database: 'berth', schema: 'berth' },
  count,
  lastPosition,
});

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function row(position: number, streamId: string, streamVersion: number, data: unknown = { replicas: position }): ExportRow {
  return {
    globalPosition: String(position),
    streamId,
    streamVersion,
    eventId: uuid(position),
    type: 'DeploymentScaled',
    dataJson: JSON.stringify(data),
    metadataJson: '{"actor": "tester"}',
    recordedAt: `2025-01-01T00:00:0${position % 10}.123456Z`,
  };
}

/** A complete backup file of these rows. */
function backupText(rows: ExportRow[], head = header(rows.length, Number(rows.at(-1)?.globalPosition ?? 0))): string {
  const encoder = new BackupEncoder();
  return encoder.header(head) + encoder.rows(rows) + encoder.trailer();
}

async function readAll(text: string | Buffer, chunkSize = 7, batchSize = 2): Promise<{ header: BackupHeader; records: LogRecord[] }> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const chunks = (async function* () {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  })();
  const opened = await openBackup(chunks, batchSize);
  const records: LogRecord[] = [];
  for await (const batch of opened.batches) records.push(...batch);
  return { header: opened.header, records };
}

async function rejection(text: string): Promise<InvalidBackup> {
  try {
    await readAll(text);
  } catch (error) {
    if (error instanceof InvalidBackup) return error;
    throw error;
  }
  throw new Error('the backup was accepted');
}

const sample = (): ExportRow[] => [
  row(1, 'deployment:default/web', 0, { manifest: { kind: 'Deployment', metadata: { name: 'wéb ✓', annotations: { note: 'line\nbreak "quoted" \\ \u2028' } } } }),
  row(2, 'replica:a1', 0),
  row(4, 'deployment:default/web', 1),
  row(7, 'replica:a1', 1),
];

describe('backup format', () => {
  it('round-trips every field exactly, whatever the chunk and batch sizes', async () => {
    const rows = sample();
    const text = backupText(rows);
    const lines = text.split('\n');
    expect(lines).toHaveLength(rows.length + 3); // header, events, trailer, and the final newline
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'berth-event-log', formatVersion: 1, count: 4, lastPosition: 7 });
    expect(JSON.parse(lines[5])).toMatchObject({ end: 'berth-event-log', count: 4, lastPosition: 7, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    for (const [chunkSize, batchSize] of [
      [1, 1],
      [3, 2],
      [64, 3],
      [1 << 20, 1000],
    ]) {
      const { header: read, records } = await readAll(text, chunkSize, batchSize);
      expect(read).toEqual(header(4, 7));
      expect(records).toEqual(
        rows.map((r) => ({
          globalPosition: Number(r.globalPosition),
          streamId: r.streamId,
          streamVersion: r.streamVersion,
          eventId: r.eventId,
          type: r.type,
          data: JSON.parse(r.dataJson),
          metadata: { actor: 'tester' },
          recordedAt: r.recordedAt,
        })),
      );
    }
  });

  it('reads an empty log (header and trailer only)', async () => {
    const { header: read, records } = await readAll(backupText([], header(0, 0)));
    expect(read.count).toBe(0);
    expect(records).toEqual([]);
  });

  it('reads any log the encoder writes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom('deployment:default/a', 'replica:b', 'node:n-1'), fc.jsonValue()), { maxLength: 30 }),
        fc.integer({ min: 1, max: 50 }),
        async (events, chunkSize) => {
          const versions = new Map<string, number>();
          let position = 0;
          const rows = events.map(([gap, stream, data]) => {
            position += gap;
            const version = (versions.get(stream) ?? -1) + 1;
            versions.set(stream, version);
            return row(position, stream, version, data);
          });
          const { records } = await readAll(backupText(rows), chunkSize, 4);
          expect(records.map((r) => [r.globalPosition, r.streamVersion])).toEqual(rows.map((r) => [Number(r.globalPosition), r.streamVersion]));
          expect(records.map((r) => JSON.stringify(r.data))).toEqual(rows.map((r) => JSON.stringify(JSON.parse(r.dataJson))));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects a truncated file: cut anywhere, the result is never accepted', async () => {
    const text = backupText(sample());
    for (let cut = 0; cut < text.length - 1; cut++) {
      await expect(readAll(text.slice(0, cut))).rejects.toBeInstanceOf(InvalidBackup);
    }
    expect((await rejection(text.split('\n').slice(0, 4).join('\n') + '\n')).message).toMatch(/line 4: the file ends after 3 of 4 events without its end line: it is truncated/);
    expect((await rejection('')).message).toBe('the file is empty: not a Berth event-log backup');
  });

  it('rejects a changed byte through the checksum, even when the line is still valid', async () => {
    const text = backupText(sample()).replace('"replicas":2', '"replicas":3');
    expect((await rejection(text)).message).toMatch(/^line 6: checksum mismatch/);
  });

  it('rejects data after the end line, blank lines and non-JSON lines, naming the line', async () => {
    const text = backupText(sample());
    expect((await rejection(text + text)).message).toMatch(/^line 7: data after the end line/);
    const lines = text.split('\n');
    expect((await rejection([lines[0], '', ...lines.slice(1)].join('\n'))).message).toBe('line 2: empty line');
    expect((await rejection([lines[0], '{"globalPosition": 1,', ...lines.slice(2)].join('\n'))).message).toMatch(/^line 2: not JSON/);
    expect((await rejection('PGDMP binary dump\n')).message).toMatch(/^line 1: not JSON/);
    expect((await rejection('{"hello":"world"}\n')).message).toMatch(/^line 1: "format" must be "berth-event-log"/);
  });

  it('checks the header: version, counts', async () => {
    const withHeader = (h: Record<string, unknown>) => backupText(sample(), h as unknown as BackupHeader);
    expect((await rejection(withHeader({ ...header(4, 7), formatVersion: 2 }))).message).toBe(
      'line 1: "formatVersion" 2 is newer than this Berth reads (1): restore with a newer berth',
    );
    expect((await rejection(withHeader({ ...header(4, 7), count: 9 }))).message).toMatch(/^line 1: "count" 9 cannot exceed "lastPosition" 7/);
    expect((await rejection(withHeader({ ...header(4, 7), count: -1 }))).message).toBe('line 1: "count" must be an integer >= 0, got -1');
    expect((await rejection(withHeader({ ...header(4, 7), logSchema: '' }))).message).toBe('line 1: "logSchema" must be a migration name');
    // The header promises fewer events than there are.
    expect((await rejection(withHeader({ ...header(3, 7) }))).message).toBe("line 5: more events than the header's count 3");
    // ... or a different last position.
    expect((await rejection(withHeader({ ...header(4, 6) }))).message).toBe(`line 5: "globalPosition" 7 is past the header's lastPosition 6`);
  });

  it('checks each event: position order, gapless stream versions, ids, types, metadata, times', async () => {
    const bad = async (change: (r: ExportRow) => ExportRow, at = 2): Promise<string> => {
      const rows = sample().map((r, i) => (i === at ? change(r) : r));
      return (await rejection(backupText(rows, header(4, 7)))).message;
    };
    expect(await bad((r) => ({ ...r, globalPosition: '2' }))).toBe(`line 4: "globalPosition" 2 is not after the previous event's 2: events must be in log order`);
    expect(await bad((r) => ({ ...r, streamVersion: 2 }))).toBe('line 4: "streamVersion" of deployment:default/web must be 1 (versions are gapless), got 2');
    expect(await bad((r) => ({ ...r, eventId: 'not-a-uuid' }))).toBe('line 4: "eventId" must be a UUID, got "not-a-uuid"');
    expect(await bad((r) => ({ ...r, type: '' }))).toBe('line 4: "type" must be a string of 1 to 200 characters, got ""');
    expect(await bad((r) => ({ ...r, streamId: 'no colon' }))).toMatch(/^line 4: "streamId" must be a stream id/);
    expect(await bad((r) => ({ ...r, metadataJson: '[]' }))).toBe('line 4: "metadata" must be a JSON object, got []');
    expect(await bad((r) => ({ ...r, recordedAt: 'yesterday' }))).toBe('line 4: "recordedAt" must be an RFC 3339 time, got "yesterday"');
  });

  it('splits lines across chunk boundaries and refuses endless lines', async () => {
    const from = async (chunks: string[], max?: number) => {
      const out: string[] = [];
      for await (const line of splitLines((async function* () { yield* chunks; })(), max)) out.push(line.toString());
      return out;
    };
    expect(await from(['ab', 'c\nd', 'e\n', '\nf'])).toEqual(['abc', 'de', '', 'f']);
    expect(await from(['é', '\n'])).toEqual(['é']);
    await expect(from(['x'.repeat(10), 'y'.repeat(10)], 15)).rejects.toThrow('line 1: line is longer than 15 bytes');
  });
});
