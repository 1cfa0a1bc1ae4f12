import { metricsMigrations } from './metrics';
import { nodesReadModel } from './nodes';
import { ReadModelDefinition } from './read-model';

/** Every read model of this lib. Add a new one here (and its folder); never reorder migrations. */
export const readModels: readonly ReadModelDefinition[] = [nodesReadModel];

/** Pass to `createDataSource` / `EventStoreModule` as `entities`. */
export const readModelEntities = readModels.flatMap((model) => model.entities);

/** Pass as `migrations`: the read models' tables and the metrics store's. */
export const readModelMigrations = [...readModels.flatMap((model) => model.migrations), ...metricsMigrations];

export function readModelNamed(name: string): ReadModelDefinition {
  const model = readModels.find((m) => m.name === name);
  if (!model) throw new Error(`unknown read model "${name}" (known: ${readModels.map((m) => m.name).join(', ')})`);
  return model;
}
