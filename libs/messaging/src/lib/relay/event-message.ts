import { categoryOf, RecordedEvent, Subjects } from '@berth/contracts';

/**
 * What an external subscriber receives on `berth.events.<category>.<Type>`: the event as the
 * log recorded it. `globalPosition` is also the `Nats-Msg-Id` header.
 */
export interface EventMessage {
  globalPosition: number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

export function toEventMessage(event: RecordedEvent): EventMessage {
  return { ...event, recordedAt: event.recordedAt.toISOString() };
}

export function subjectFor(event: Pick<RecordedEvent, 'streamId' | 'type'>, prefix?: string): string {
  const subject = Subjects.event(categoryOf(event.streamId), event.type);
  return prefix ? subject.replace(/^berth\.events/, prefix) : subject;
}
