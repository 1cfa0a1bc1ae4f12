import { z } from 'zod';
import { isDNS1123Subdomain } from './name-validation.util';
import { namespacedObjectMetaSchema } from './object-meta.schema';
import { nonNegativeInt, orEmpty, timestamp } from './schema-kit.util';

export const KUBERNETES_EVENT_TYPES = ['Normal', 'Warning'] as const;
export type KubernetesEventType = (typeof KUBERNETES_EVENT_TYPES)[number];

export const objectReferenceSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  fieldPath: z.string().optional(),
});
export type ObjectReference = z.output<typeof objectReferenceSchema>;

export const eventSourceSchema = z.object({
  component: z.string().optional(),
  host: z.string().optional(),
});

/** Kubernetes core/v1 Event, as shown by `describe` and `get events`. */
export const eventSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Event'),
  metadata: orEmpty(namespacedObjectMetaSchema(isDNS1123Subdomain)),
  involvedObject: objectReferenceSchema,
  reason: z.string().optional(),
  message: z.string().optional(),
  source: eventSourceSchema.optional(),
  firstTimestamp: timestamp().optional(),
  lastTimestamp: timestamp().optional(),
  count: nonNegativeInt().optional(),
  type: z.enum(KUBERNETES_EVENT_TYPES).optional(),
  reportingComponent: z.string().optional(),
  reportingInstance: z.string().optional(),
});
export type Event = z.output<typeof eventSchema>;
export type EventInput = z.input<typeof eventSchema>;
