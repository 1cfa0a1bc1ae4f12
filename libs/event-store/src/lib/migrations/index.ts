import { CreateEventLog1732560000000 } from './1732560000000-create-event-log';

/** In order. A new migration is appended here and never edited once released. */
export const eventStoreMigrations = [CreateEventLog1732560000000];
