import { RecordedEvent } from '@berth/contracts';
import { ObjectRow } from './api-object.model';

/** What the projection looks up before folding an event that refers to another object. */
export interface FoldLookups {
  /** ReplicaCreated: the owning Deployment (for its uid). */
  deployment?: ObjectRow;
  /** ReplicaScheduled: the Node (for its address). */
  node?: ObjectRow;
}

/**
 * Folds one event into the row of the object its stream describes. Returns the next row
 * (object rendered with resourceVersion 0: the caller stamps it if the object changed),
 * `null` to remove the row, or `undefined` when the event is not about this kind.
 */
export type RowFold = (previous: ObjectRow | undefined, event: RecordedEvent, lookups: FoldLookups) => ObjectRow | null | undefined;
