import { EntitySchema } from 'typeorm';
import { Projection } from '@berth/event-store';

/**
 * One read model: its tables (entities + migrations) and the projection that fills them from
 * the log. A new read model is a folder with one of these, added to `readModels`.
 */
export interface ReadModelDefinition {
  /** Short name, e.g. `nodes`; the projection's checkpoint is `read-model:<name>`. */
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: (Function | EntitySchema)[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: Function[];
  createProjection(): Projection;
}
