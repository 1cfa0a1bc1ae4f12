import { createHash, Hash } from 'node:crypto';
import { isValidStreamId } from '@berth/contracts';
import { InvalidBackup } from './backup.errors';

/**
 * The backup file: NDJSON, one JSON object per line, UTF-8.
 *
 *   line 1      header   {"format":"berth-event-log","formatVersion":1,"logSchema":..,"count":N,"lastPosition":P,..}
 *   lines 2..   events   {"globalPosition":..,"streamId":..,"streamVersion":..,"eventId":..,"type":..,"data":..,"metadata":..,"recordedAt":..}
 *   last line   trailer  {"end":"berth-event-log","count":N,"lastPosition":P,"sha256":<hex of every line before it, newlines included>}
 *
 * Events are in position order. The trailer proves the file is complete; its checksum proves no
 * line changed. The same field names as the JetStream event feed (docs/events.md), but
 * `recordedAt` keeps Postgres' microseconds.
 */
export const BACKUP_FORMAT = 'berth-event-log';
/** Bumped when a reader of the old version could not read the new files. */
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  /** The last event-store migration applied to the source: the layout of its events table. */
  logSchema: string;
  /** When the backup began (RFC 3339). */
  createdAt: string;
  /** Where it came from, for people: database name (no credentials) and schema. */
  source: { database?: string; schema: string };
  /** Events in the file. */
  count: number;
  /** Position of the last event (0: empty log). Positions may have gaps; count says how many there are. */
  lastPosition: number;
}

export interface BackupTrailer {
  end: typeof BACKUP_FORMAT;
  count: number;
  lastPosition: number;
  /** sha256 (hex) of every byte before the trailer line. */
  sha256: string;
}

/** One event as the log stores it; `recordedAt` is RFC 3339 with the database's microseconds. */
export interface LogRecord {
  globalPosition: number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

/**
 * A row as the exporter reads it: `data` and `metadata` are the JSON text Postgres returns, put into
 * the line as they are (no parse and re-serialize, so nothing about them can change on the way).
 */
export interface ExportRow {
  globalPosition: string | number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: string;
  dataJson: string;
  metadataJson: string;
  recordedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** A line longer than this is not a Berth backup (the gateway caps manifests far below). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export function encodeHeader(header: BackupHeader): string {
  return `${JSON.stringify(header)}\n`;
}

export function encodeEventLine(row: ExportRow): string {
  return (
    `{"globalPosition":${String(row.globalPosition)},"streamId":${JSON.stringify(row.streamId)},"streamVersion":${row.streamVersion},` +
    `"eventId":${JSON.stringify(row.eventId)},"type":${JSON.stringify(row.type)},"data":${row.dataJson},"metadata":${row.metadataJson},` +
    `"recordedAt":${JSON.stringify(row.recordedAt)}}\n`
  );
}

export function encodeTrailer(trailer: BackupTrailer): string {
  return `${JSON.stringify(trailer)}\n`;
}

/**
 * Builds a backup's text piece by piece and keeps the running checksum, so the trailer can be
 * written at the end without holding anything but the current page.
 */
export class BackupEncoder {
  private readonly hash: Hash = createHash('sha256');
  private events = 0;
  private last = 0;

  header(header: BackupHeader): string {
    return this.hashed(encodeHeader(header));
  }

  /** Lines of a page of rows, in position order. */
  rows(rows: readonly ExportRow[]): string {
    let text = '';
    for (const row of rows) text += encodeEventLine(row);
    this.events += rows.length;
    if (rows.length > 0) this.last = Number(rows[rows.length - 1].globalPosition);
    return this.hashed(text);
  }

  trailer(): string {
    return encodeTrailer({ end: BACKUP_FORMAT, count: this.events, lastPosition: this.last, sha256: this.hash.digest('hex') });
  }

  private hashed(text: string): string {
    this.hash.update(text, 'utf8');
    return text;
  }
}

/** Splits a byte stream into lines (without the '\n'), whatever the chunk boundaries. */
export async function* splitLines(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNumber = 1;
  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let start = 0;
    for (let newline = chunk.indexOf(0x0a, start); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, newline);
      yield pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      lineNumber++;
      start = newline + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) throw new InvalidBackup(`line is longer than ${maxLineBytes} bytes: not a Berth backup`, lineNumber);
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

function fail(message: string, line: number): never {
  throw new InvalidBackup(message, line);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown, field: string, line: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`"${field}" must be an integer >= 0, got ${JSON.stringify(value)}`, line);
  return value;
}

function parseLine(line: Buffer, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch (error) {
    fail(`not JSON (${(error as Error).message})`, number);
  }
  if (!isObject(value)) fail('not a JSON object', number);
  return value;
}

/** Checks the first line; `line` is its number, for messages. */
export function decodeHeader(text: Buffer, line = 1): BackupHeader {
  const value = parseLine(text, line);
  if (value['format'] !== BACKUP_FORMAT) fail(`"format" must be "${BACKUP_FORMAT}", got ${JSON.stringify(value['format'])}: not a Berth event-log backup`, line);
  const version = value['formatVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) fail(`"formatVersion" must be an integer >= 1, got ${JSON.stringify(version)}`, line);
  if (version > BACKUP_FORMAT_VERSION) fail(`"formatVersion" ${version} is newer than this Berth reads (${BACKUP_FORMAT_VERSION}): restore with a newer berth`, line);
  if (typeof value['logSchema'] !== 'string' || value['logSchema'] === '') fail('"logSchema" must be a migration name', line);
  if (typeof value['createdAt'] !== 'string' || !RFC3339.test(value['createdAt'])) fail('"createdAt" must be an RFC 3339 time', line);
  const source = value['source'];
  if (!isObject(source) || typeof source['schema'] !== 'string') fail('"source.schema" must be a string', line);
  const events = count(value['count'], 'count', line);
  const lastPosition = count(value['lastPosition'], 'lastPosition', line);
  if (events > lastPosition) fail(`"count" ${events} cannot exceed "lastPosition" ${lastPosition} (positions start at 1 and never repeat)`, line);
  if ((events === 0) !== (lastPosition === 0)) fail(`"count" ${events} and "lastPosition" ${lastPosition} disagree about the log being empty`, line);
  return {
    format: BACKUP_FORMAT,
    formatVersion: version,
    logSchema: value['logSchema'],
    createdAt: value['createdAt'],
    source: { schema: source['schema'], ...(typeof source['database'] === 'string' ? { database: source['database'] } : {}) },
    count: events,
    lastPosition,
  };
}

/**
 * Checks a backup line by line, as it streams: the header, then each event (fields, position
 * order, gapless stream versions), then the trailer (count, last position, checksum). Nothing is
 * kept but the version of each stream, so memory grows with the number of streams, not events.
 */
export class BackupDecoder {
  private readonly hash: Hash = createHash('sha256');
  private readonly versions = new Map<string, number>();
  private lineNumber = 0;
  private headerValue?: BackupHeader;
  private trailerValue?: BackupTrailer;
  private events = 0;
  private last = 0;

  get header(): BackupHeader | undefined {
    return this.headerValue;
  }

  /** Events accepted so far. */
  get count(): number {
    return this.events;
  }

  /** The next line of the file: an event, or undefined for the header and the trailer. */
  push(line: Buffer): LogRecord | undefined {
    const number = ++this.lineNumber;
    if (this.trailerValue) fail('data after the end line: the file was joined or corrupted', number);
    if (!this.headerValue) {
      this.headerValue = decodeHeader(line, number);
      this.update(line);
      return undefined;
    }
    if (line.length === 0) fail('empty line', number);
    const value = parseLine(line, number);
    if ('end' in value) {
      this.trailerValue = this.checkTrailer(value, number);
      return undefined;
    }
    const record = this.checkEvent(value, number);
    this.update(line);
    return record;
  }

  /** The file has ended: throws unless the trailer was there and everything agreed. */
  finish(): { header: BackupHeader; count: number; lastPosition: number } {
    if (!this.headerValue) throw new InvalidBackup('the file is empty: not a Berth event-log backup');
    if (!this.trailerValue) {
      throw new InvalidBackup(
        `the file ends after ${this.events} of ${this.headerValue.count} events without its end line: it is truncated (an interrupted backup or copy)`,
        this.lineNumber,
      );
    }
    return { header: this.headerValue, count: this.events, lastPosition: this.last };
  }

  private update(line: Buffer): void {
    this.hash.update(line);
    this.hash.update('\n');
  }

  private checkEvent(value: Record<string, unknown>, line: number): LogRecord {
    const header = this.headerValue as BackupHeader;
    const position = value['globalPosition'];
    if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 1) fail(`"globalPosition" must be an integer >= 1, got ${JSON.stringify(position)}`, line);
    if (position <= this.last) fail(`"globalPosition" ${position} is not after the previous event's ${this.last}: events must be in log order`, line);
    if (position > header.lastPosition) fail(`"globalPosition" ${position} is past the header's lastPosition ${header.lastPosition}`, line);
    const streamId = value['streamId'];
    if (typeof streamId !== 'string' || !isValidStreamId(streamId)) fail(`"streamId" must be a stream id like "deployment:default/web", got ${JSON.stringify(streamId)}`, line);
    const version = value['streamVersion'];
    const expected = (this.versions.get(streamId) ?? -1) + 1;
    if (version !== expected) fail(`"streamVersion" of ${streamId} must be ${expected} (versions are gapless), got ${JSON.stringify(version)}`, line);
    const eventId = value['eventId'];
    if (typeof eventId !== 'string' || !UUID.test(eventId)) fail(`"eventId" must be a UUID, got ${JSON.stringify(eventId)}`, line);
    const type = value['type'];
    if (typeof type !== 'string' || type.length < 1 || type.length > 200) fail(`"type" must be a string of 1 to 200 characters, got ${JSON.stringify(type)}`, line);
    if (!('data' in value)) fail('"data" is missing', line);
    const metadata = value['metadata'];
    if (!isObject(metadata)) fail(`"metadata" must be a JSON object, got ${JSON.stringify(metadata)}`, line);
    const recordedAt = value['recordedAt'];
    if (typeof recordedAt !== 'string' || !RFC3339.test(recordedAt) || Number.isNaN(Date.parse(recordedAt))) {
      fail(`"recordedAt" must be an RFC 3339 time, got ${JSON.stringify(recordedAt)}`, line);
    }
    if (this.events >= header.count) fail(`more events than the header's count ${header.count}`, line);
    this.versions.set(streamId, expected);
    this.events++;
    this.last = position;
    return { globalPosition: position, streamId, streamVersion: expected, eventId, type, data: value['data'], metadata, recordedAt };
  }

  private checkTrailer(value: Record<string, unknown>, line: number): BackupTrailer {
    const header = this.headerValue as BackupHeader;
    if (value['end'] !== BACKUP_FORMAT) fail(`"end" must be "${BACKUP_FORMAT}", got ${JSON.stringify(value['end'])}`, line);
    const events = count(value['count'], 'count', line);
    const lastPosition = count(value['lastPosition'], 'lastPosition', line);
    const sha256 = value['sha256'];
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) fail('"sha256" must be 64 hex digits', line);
    if (events !== this.events || events !== header.count) {
      fail(`the end line counts ${events} events and the header ${header.count}, but the file holds ${this.events}: events are missing or were added`, line);
    }
    if (lastPosition !== this.last || lastPosition !== header.lastPosition) {
      fail(`the end line's lastPosition ${lastPosition} (header: ${header.lastPosition}) is not the last event's position ${this.last}`, line);
    }
    const actual = this.hash.digest('hex');
    if (actual !== sha256) fail(`checksum mismatch (sha256 of the file is ${actual}, the end line says ${sha256}): the file was changed or corrupted`, line);
    return { end: BACKUP_FORMAT, count: events, lastPosition, sha256 };
  }
}

export interface OpenedBackup {
  header: BackupHeader;
  /**
   * The events in batches, each checked; throws InvalidBackup at the first bad line or, after the
   * last batch, when the file is incomplete. Can be iterated once.
   */
  batches: AsyncGenerator<LogRecord[]>;
  /** Releases the source (a file handle) when the batches were not read to the end. */
  close(): Promise<void>;
}

/** Reads and checks the header at once (before anything is touched), then streams the events. */
export async function openBackup(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, batchSize = 1_000): Promise<OpenedBackup> {
  const lines = splitLines(chunks);
  const decoder = new BackupDecoder();
  const first = await lines.next();
  if (first.done) throw new InvalidBackup('the file is empty: not a Berth event-log backup');
  decoder.push(first.value);
  const header = decoder.header as BackupHeader;
  const close = async (): Promise<void> => {
    await lines.return(undefined);
  };
  async function* batches(): AsyncGenerator<LogRecord[]> {
    try {
      let batch: LogRecord[] = [];
      for await (const line of lines) {
        const record = decoder.push(line);
        if (!record) continue;
        batch.push(record);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      decoder.finish();
      if (batch.length > 0) yield batch;
    } finally {
      await close();
    }
  }
  return { header, batches: batches(), close };
}
