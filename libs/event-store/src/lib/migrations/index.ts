import { CreateEventLog1732560000000 } from './1732560000000-create-event-log';
import { GroupedAppend1732560000001 } from './1732560000001-grouped-append';

/** In order. A new migration is appended here and never edited once released. */
export const eventStoreMigrations = [CreateEventLog1732560000000, GroupedAppend1732560000001];
