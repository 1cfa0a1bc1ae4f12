import { z } from 'zod';
import { eventCatalogue, isKnownEventType } from './catalogue';
import { eventMetadataSchema, isValidStreamId, NewEvent } from './envelope';

/** One event failed its schema: nothing of the batch it belongs to is written. */
export class InvalidEvent extends Error {
  override readonly name = 'InvalidEvent';
  constructor(
    readonly eventType: string,
    readonly issues: { field: string; message: string }[],
  ) {
    super(`invalid ${eventType} event: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

function toIssues(prefix: string, error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks an event against the catalogue and returns it with its data as parsed
 * (defaults applied). Throws InvalidEvent naming each bad field.
 */
export function validateEvent(event: NewEvent): NewEvent {
  if (!isKnownEventType(event.type)) {
    throw new InvalidEvent(String(event.type), [{ field: 'type', message: `unknown event type "${String(event.type)}"` }]);
  }
  if (event.eventId !== undefined && !uuidPattern.test(event.eventId)) {
    throw new InvalidEvent(event.type, [{ field: 'eventId', message: 'must be a UUID' }]);
  }
  const data = eventCatalogue[event.type].safeParse(event.data);
  const metadata = eventMetadataSchema.safeParse(event.metadata ?? {});
  const issues = [
    ...(data.success ? [] : toIssues('data', data.error)),
    ...(metadata.success ? [] : toIssues('metadata', metadata.error)),
  ];
  if (issues.length > 0 || !data.success || !metadata.success) throw new InvalidEvent(event.type, issues);
  return { ...event, data: data.data, metadata: metadata.data };
}

export class InvalidStreamId extends Error {
  override readonly name = 'InvalidStreamId';
  constructor(readonly streamId: string) {
    super(`invalid stream id "${streamId}": expected "<category>:<id>"`);
  }
}

export function assertValidStreamId(streamId: string): void {
  if (!isValidStreamId(streamId)) throw new InvalidStreamId(streamId);
}
