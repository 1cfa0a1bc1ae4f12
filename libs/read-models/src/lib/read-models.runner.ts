import { DataSource } from 'typeorm';
import { EventStore, ProjectionRunner } from '@berth/event-store';
import { ReadModelDefinition } from './read-model';

export interface ReadModelsRunnerOptions {
  /** LISTEN on the log's channel (else poll). */
  listenUrl?: string;
  batchSize?: number;
  onError?: (model: string, error: unknown) => void;
}

/**
 * Runs the projections of some read models: each has its own ProjectionRunner and checkpoint,
 * so several copies of a service may run them at once (the checkpoint row lock serializes them).
 */
export class ReadModelsRunner {
  private readonly runners: { model: ReadModelDefinition; runner: ProjectionRunner }[];
  private live: { stop: () => Promise<void> }[] = [];

  constructor(
    dataSource: DataSource,
    store: EventStore,
    models: readonly ReadModelDefinition[],
    private readonly options: ReadModelsRunnerOptions = {},
  ) {
    for (const model of models) {
      for (const entity of model.entities) {
        if (!dataSource.hasMetadata(entity)) {
          throw new Error(`read model "${model.name}": its entities are not in the DataSource; pass readModelEntities as \`entities\``);
        }
      }
    }
    this.runners = models.map((model) => ({
      model,
      runner: new ProjectionRunner(dataSource, store, model.createProjection(), options.batchSize ?? 500),
    }));
  }

  /** Follows the log until stop(). */
  start(): void {
    if (this.live.length > 0) return;
    this.live = this.runners.map(({ model, runner }) =>
      runner.start({ listenUrl: this.options.listenUrl, onError: (error) => this.options.onError?.(model.name, error) }),
    );
  }

  async stop(): Promise<void> {
    const live = this.live;
    this.live = [];
    await Promise.all(live.map((l) => l.stop()));
  }

  /** Brings every read model up to the head of the log now (e.g. before reading it for a decision). */
  async catchUp(): Promise<void> {
    for (const { runner } of this.runners) await runner.catchUp();
  }

  /** Empties a read model and replays the whole log into it. */
  async rebuild(name: string): Promise<number> {
    const entry = this.runners.find((r) => r.model.name === name);
    if (!entry) throw new Error(`read model "${name}" is not run here`);
    return entry.runner.rebuild();
  }

  async checkpoints(): Promise<Record<string, number>> {
    const entries = await Promise.all(this.runners.map(async ({ model, runner }) => [model.name, await runner.checkpoint()] as const));
    return Object.fromEntries(entries);
  }
}
