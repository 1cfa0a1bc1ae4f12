import { z } from 'zod';

/** Who and why: carried with every event so the log is a full audit trail. */
export const eventMetadataSchema = z
  .object({
    correlationId: z.string().max(200).optional(),
    causationId: z.string().max(200).optional(),
    actor: z.string().max(200).optional(),
    traceId: z.string().max(200).optional(),
  })
  .catchall(z.unknown());
export type EventMetadata = z.infer<typeof eventMetadataSchema>;

/** An event about to be appended. `eventId` makes a retried append idempotent. */
export interface NewEvent<D = unknown> {
  eventId?: string;
  type: string;
  data: D;
  metadata?: EventMetadata;
}

/** An event as the log stores it. */
export interface RecordedEvent<D = unknown> {
  globalPosition: number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: string;
  data: D;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** Stream ids name one aggregate: `deployment:<ns>/<name>`, `node:<name>`, `replica:<uid>`, ... */
export const StreamCategories = ['deployment', 'node', 'replica', 'service', 'hpa', 'namespace', 'token'] as const;
export type StreamCategory = (typeof StreamCategories)[number];

export const streamIds = {
  deployment: (namespace: string, name: string): string => `deployment:${namespace}/${name}`,
  service: (namespace: string, name: string): string => `service:${namespace}/${name}`,
  hpa: (namespace: string, name: string): string => `hpa:${namespace}/${name}`,
  node: (name: string): string => `node:${name}`,
  replica: (uid: string): string => `replica:${uid}`,
  namespace: (name: string): string => `namespace:${name}`,
  token: (id: string): string => `token:${id}`,
};

/** `deployment:default/web` -> `deployment`. */
export function categoryOf(streamId: string): string {
  const colon = streamId.indexOf(':');
  return colon === -1 ? streamId : streamId.slice(0, colon);
}

const streamIdPattern = /^[a-z][a-z0-9-]*:[^\s]{1,512}$/;
export function isValidStreamId(streamId: string): boolean {
  return streamIdPattern.test(streamId);
}
