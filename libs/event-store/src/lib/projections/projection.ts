import { DataSource, EntityManager } from 'typeorm';
import { RecordedEvent } from '@berth/contracts';
import { EventStore } from '../event-store';
import { LogNotifier } from '../log-notifier';
import { quoteIdent } from '../sql-names';

/** A read model derived from the log. `apply` must be deterministic: same events, same rows. */
export interface Projection {
  readonly name: string;
  /** Empties the read model (used to rebuild from position 0). */
  reset(manager: EntityManager): Promise<void>;
  /** Applies one event inside the batch's transaction. */
  apply(event: RecordedEvent, manager: EntityManager): Promise<void>;
}

/**
 * Feeds a projection from the log. Each batch is applied in one transaction together with
 * its checkpoint, so a crash neither loses nor doubles an event; the checkpoint row is
 * locked while a batch runs, so two copies of a service never apply the same event twice.
 */
export class ProjectionRunner {
  private readonly checkpoints: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    readonly projection: Projection,
    private readonly batchSize = 500,
  ) {
    this.checkpoints = `${quoteIdent(store.schema)}.checkpoints`;
  }

  /** Applies every event not yet applied; returns the checkpoint reached. */
  async catchUp(): Promise<number> {
    for (;;) {
      const { applied, position } = await this.applyBatch();
      if (applied < this.batchSize) return position;
    }
  }

  /** Empties the read model and replays the whole log into it. */
  async rebuild(): Promise<number> {
    await this.dataSource.transaction(async (manager) => {
      await this.lockCheckpoint(manager);
      await this.projection.reset(manager);
      await manager.query(`UPDATE ${this.checkpoints} SET position = 0, updated_at = now() WHERE name = $1`, [this.projection.name]);
    });
    return this.catchUp();
  }

  /**
   * Keeps the read model current until `stop()` is called: applies batches as the log grows
   * (woken by LISTEN when a URL is given, else by polling).
   */
  start(options: { listenUrl?: string; idlePollMs?: number; onError?: (error: unknown) => void } = {}): { stop: () => Promise<void> } {
    let stopped = false;
    const notifier = options.listenUrl ? new LogNotifier(options.listenUrl, this.store.notifyChannel, options.onError) : null;
    const loop = (async () => {
      await notifier?.start();
      while (!stopped) {
        try {
          await this.catchUp();
        } catch (error) {
          options.onError?.(error);
        }
        if (stopped) break;
        const timeout = options.idlePollMs ?? (notifier ? 1_000 : 100);
        if (notifier) await notifier.wait(timeout);
        else await new Promise((resolve) => setTimeout(resolve, timeout));
      }
      await notifier?.close();
    })();
    return {
      stop: async () => {
        stopped = true;
        notifier?.wakeAll();
        await loop;
      },
    };
  }

  async checkpoint(): Promise<number> {
    const rows: { position: string }[] = await this.dataSource.query(`SELECT position FROM ${this.checkpoints} WHERE name = $1`, [
      this.projection.name,
    ]);
    return Number(rows[0]?.position ?? 0);
  }

  private async applyBatch(): Promise<{ applied: number; position: number }> {
    return this.dataSource.transaction(async (manager) => {
      let position = await this.lockCheckpoint(manager);
      const events: RecordedEvent[] = await this.store.readAll(position, this.batchSize);
      for (const event of events) {
        await this.projection.apply(event, manager);
        position = event.globalPosition;
      }
      if (events.length > 0) {
        await manager.query(`UPDATE ${this.checkpoints} SET position = $2, updated_at = now() WHERE name = $1`, [
          this.projection.name,
          position,
        ]);
      }
      return { applied: events.length, position };
    });
  }

  private async lockCheckpoint(manager: EntityManager): Promise<number> {
    await manager.query(`INSERT INTO ${this.checkpoints} (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING`, [
      this.projection.name,
    ]);
    const rows: { position: string }[] = await manager.query(`SELECT position FROM ${this.checkpoints} WHERE name = $1 FOR UPDATE`, [
      this.projection.name,
    ]);
    return Number(rows[0]?.position ?? 0);
  }
}
