import { CreateApiReadModels1733200000000 } from './1733200000000-create-api-read-models';

/** In order. Pass as `migrations` to the DataSource (after the log's own); never edit a released one. */
export const apiReadModelMigrations = [CreateApiReadModels1733200000000];
