// npm run bench:eventlog — append (batched, and 8 concurrent single-event writers) and full replay
// of the event log on the local Postgres. Prints a table, writes bench-results/eventlog.json,
// and ends with one JSON line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { NewEvent } from '@berth/contracts';
import { createPool, EventStore, runMigrations } from '@berth/event-store';

const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 100;
const BATCHED_EVENTS = Number(process.env['BENCH_EVENTS'] ?? 250_000);
const BATCH_WRITERS = Number(process.env['BENCH_BATCH_WRITERS'] ?? 4);
const SINGLE_WRITERS = 8;
const SINGLE_EVENTS = Number(process.env['BENCH_SINGLE_EVENTS'] ?? 16_000);
const ANCHOR_EVENTS_PER_SEC = 8_600; // commanded/eventstore on Postgres (DESIGN.md section 7)

const event = (i: number): NewEvent => ({
  type: 'ReplicaScheduled',
  data: { node: `node-${i % 1000}` },
  metadata: { actor: 'bench', correlationId: `c-${i % 97}` },
});

function progress(label: string, done: number, total: number, started: number): void {
  const rate = Math.round(done / ((performance.now() - started) / 1000));
  process.stdout.write(`\r  ${label}: ${done}/${total} events (${rate}/s)   `);
}

async function appendBatched(store: EventStore): Promise<number> {
  const perWriter = Math.ceil(BATCHED_EVENTS / BATCH / BATCH_WRITERS);
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: BATCH_WRITERS }, async (_, w) => {
      for (let b = 0; b < perWriter; b++) {
        await store.append(`replica:w${w}-b${b}`, 'no_stream', Array.from({ length: BATCH }, (_, i) => event(b * BATCH + i)));
        done += BATCH;
        if (done % 10_000 === 0) progress('batched', done, BATCHED_EVENTS, started);
      }
    }),
  );
  process.stdout.write('\n');
  return done / ((performance.now() - started) / 1000);
}

async function appendConcurrentSingles(store: EventStore): Promise<number> {
  const perWriter = SINGLE_EVENTS / SINGLE_WRITERS;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SINGLE_WRITERS }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) {
        await store.append(`replica:single-${w}-${i % 50}`, 'any', [event(i)]);
        if (++done % 2_000 === 0) progress('8 writers, single events', done, SINGLE_EVENTS, started);
      }
    }),
  );
  process.stdout.write('\n');
  return done / ((performance.now() - started) / 1000);
}

async function replay(store: EventStore): Promise<{ perSec: number; events: number }> {
  let position = 0;
  let events = 0;
  const started = performance.now();
  for (;;) {
    const page = await store.readAll(position, 10_000);
    if (page.length === 0) break;
    events += page.length;
    position = page[page.length - 1].globalPosition;
    if (events % 50_000 === 0) progress('replay', events, events, started);
  }
  process.stdout.write('\n');
  return { perSec: events / ((performance.now() - started) / 1000), events };
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  console.log(`event log benchmark: schema ${schema} on ${url.replace(/\/\/[^@]*@/, '//')}`);
  await runMigrations({ url, schema });
  const pool = createPool({ url, schema, poolSize: 16 });
  const store = new EventStore(pool, schema);
  try {
    const appendPerSec = await appendBatched(store);
    const concurrentAppendPerSec = await appendConcurrentSingles(store);
    const { perSec: replayPerSec, events } = await replay(store);
    const rows = [
      ['append, batches of 100', `${BATCH_WRITERS} writers`, Math.round(appendPerSec), 20_000],
      ['append, single events', `${SINGLE_WRITERS} writers`, Math.round(concurrentAppendPerSec), '-'],
      ['full replay', `${events} events`, Math.round(replayPerSec), 200_000],
    ];
    console.log('\n| scenario | load | events/s | target | vs anchor 8.6k/s |');
    console.log('|---|---|---|---|---|');
    for (const [name, load, rate, target] of rows) {
      console.log(`| ${name} | ${load} | ${rate} | ${target} | ${(Number(rate) / ANCHOR_EVENTS_PER_SEC).toFixed(2)}x |`);
    }
    const result = {
      appendPerSec: Math.round(appendPerSec),
      concurrentAppendPerSec: Math.round(concurrentAppendPerSec),
      replayPerSec: Math.round(replayPerSec),
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/eventlog.json', JSON.stringify({ ...result, replayedEvents: events, batchWriters: BATCH_WRITERS }, null, 2));
    console.log(JSON.stringify(result));
  } finally {
    await pool.end();
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
