import { CreateEventLog1732560000000 } from './1732560000000-create-event-log';
import { GroupedAppend1732560000001 } from './1732560000001-grouped-append';
import { AppendCustomPlans1732560000002 } from './1732560000002-append-custom-plans';
import { AppendGenericPlans1732560000003 } from './1732560000003-append-generic-plans';

/** In order. A new migration is appended here and never edited once released. */
export const eventStoreMigrations = [CreateEventLog1732560000000, GroupedAppend1732560000001, AppendCustomPlans1732560000002, AppendGenericPlans1732560000003];
