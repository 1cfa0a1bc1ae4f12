import { Logger } from '@nestjs/common';
import { headers, JetStreamClient, JetStreamManager, NatsConnection, nanos, RetentionPolicy, StorageType } from 'nats';
import { EVENTS_STREAM, EVENTS_SUBJECT_PREFIX } from '@berth/contracts';
import { AdvisoryLease, EventStore, LogNotifier } from '@berth/event-store';
import { subjectFor, toEventMessage } from './event-message';

export interface RelayOptions {
  /** Connection string for the lease (a session advisory lock) and for LISTEN. */
  databaseUrl: string;
  streamName?: string;
  subjectPrefix?: string;
  batchSize?: number;
  /** JetStream drops a re-published position inside this window; it must outlast a relay restart. */
  duplicateWindowMs?: number;
  idlePollMs?: number;
  /** Wait between failed publish attempts (NATS down); doubles up to 5 s. */
  retryMs?: number;
}

type RelayState = 'standby' | 'active' | 'stopped';

/**
 * Publishes every committed event of the log, in order, to JetStream. One relay is active at a
 * time: it holds a Postgres advisory lock on a connection of its own, and losing that
 * connection loses the lease. The checkpoint is written after JetStream acknowledged the
 * batch; a crash between the two re-publishes positions JetStream already has, and the
 * `Nats-Msg-Id` header (the global position) makes it drop them.
 */
export class EventRelay {
  private readonly logger = new Logger(EventRelay.name);
  private readonly streamName: string;
  private readonly subjectPrefix: string;
  private readonly checkpointName: string;
  private state: RelayState = 'standby';
  private readonly lease: AdvisoryLease;
  private notifier: LogNotifier | null = null;
  private loop: Promise<void> | null = null;
  private published = 0;
  private position = 0;

  constructor(
    private readonly store: EventStore,
    private readonly nats: NatsConnection,
    private readonly options: RelayOptions,
  ) {
    this.streamName = options.streamName ?? EVENTS_STREAM;
    this.subjectPrefix = options.subjectPrefix ?? EVENTS_SUBJECT_PREFIX;
    this.checkpointName = `relay:${this.streamName}`;
    this.lease = new AdvisoryLease(options.databaseUrl, `berth-relay:${store.schema}:${this.streamName}`, {
      applicationName: 'berth-relay-lease',
      onLost: (error) => {
        this.logger.warn({ msg: 'relay lost its lease', error: String(error) });
        if (this.state === 'active') this.state = 'standby';
      },
    });
  }

  get isActive(): boolean {
    return this.state === 'active';
  }

  get stats(): { state: RelayState; published: number; position: number } {
    return { state: this.state, published: this.published, position: this.position };
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.notifier?.wakeAll();
    await this.loop;
    await this.lease.release();
  }

  /** Creates the stream if it is missing (idempotent). */
  async ensureStream(jsm: JetStreamManager): Promise<void> {
    const config = {
      name: this.streamName,
      subjects: [`${this.subjectPrefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(this.options.duplicateWindowMs ?? 10 * 60_000),
    };
    try {
      await jsm.streams.info(this.streamName);
    } catch {
      await jsm.streams.add(config);
      this.logger.log({ msg: 'created JetStream stream', stream: this.streamName, subjects: config.subjects });
    }
  }

  private async run(): Promise<void> {
    this.notifier = new LogNotifier(this.options.databaseUrl, this.store.notifyChannel, (error) =>
      this.logger.warn({ msg: 'log notifier error', error: String(error) }),
    );
    await this.notifier.start();
    while (this.state !== 'stopped') {
      if (!(await this.acquireLease())) {
        await this.sleep(1_000);
        continue;
      }
      try {
        await this.relayWhileLeased();
      } catch (error) {
        this.logger.warn({ msg: 'relay interrupted, will resume from checkpoint', error: String(error) });
        await this.sleep(this.options.retryMs ?? 250);
      }
    }
    await this.notifier.close();
  }

  private async relayWhileLeased(): Promise<void> {
    const jsm = await this.nats.jetstreamManager();
    await this.ensureStream(jsm);
    const js = this.nats.jetstream();
    this.position = await this.readCheckpoint();
    this.logger.log({ msg: 'relay active', stream: this.streamName, from: this.position });
    const batchSize = this.options.batchSize ?? 500;
    let retry = this.options.retryMs ?? 250;
    while (this.state === 'active' && this.lease.held) {
      const events = await this.store.readAll(this.position, batchSize);
      if (events.length === 0) {
        await this.notifier?.wait(this.options.idlePollMs ?? 1_000);
        continue;
      }
      try {
        await this.publishBatch(js, events);
        retry = this.options.retryMs ?? 250;
      } catch (error) {
        this.logger.warn({ msg: 'publish failed, retrying batch', from: this.position, error: String(error) });
        await this.sleep(retry);
        retry = Math.min(retry * 2, 5_000);
        continue;
      }
      const last = events[events.length - 1].globalPosition;
      await this.writeCheckpoint(last);
      this.position = last;
    }
  }

  private async publishBatch(js: JetStreamClient, events: Awaited<ReturnType<EventStore['readAll']>>): Promise<void> {
    // Pipelined: every publish of the batch in flight at once; JetStream keeps them in order.
    const acks = events.map((event) => {
      const h = headers();
      h.set('Berth-Stream-Id', event.streamId);
      h.set('Berth-Event-Type', event.type);
      return js.publish(subjectFor(event, this.subjectPrefix), JSON.stringify(toEventMessage(event)), {
        msgID: String(event.globalPosition),
        headers: h,
        timeout: 5_000,
      });
    });
    const results = await Promise.all(acks);
    this.published += results.filter((ack) => !ack.duplicate).length;
  }

  private async acquireLease(): Promise<boolean> {
    try {
      if (!(await this.lease.tryAcquire())) return false;
    } catch (error) {
      this.logger.warn({ msg: 'relay could not reach Postgres for its lease', error: String(error) });
      return false;
    }
    if (this.state !== 'stopped') this.state = 'active';
    return true;
  }

  private async readCheckpoint(): Promise<number> {
    const table = `"${this.store.schema}".checkpoints`;
    await this.store.pool.query(`INSERT INTO ${table} (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, [this.checkpointName]);
    const result = await this.store.pool.query<{ position: string }>(`SELECT position FROM ${table} WHERE name = $1`, [this.checkpointName]);
    return Number(result.rows[0]?.position ?? 0);
  }

  private async writeCheckpoint(position: number): Promise<void> {
    await this.store.pool.query(`UPDATE "${this.store.schema}".checkpoints SET position = $2, updated_at = now() WHERE name = $1`, [
      this.checkpointName,
      position,
    ]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
