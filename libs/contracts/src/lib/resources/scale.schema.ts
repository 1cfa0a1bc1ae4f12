import { z } from 'zod';
import { isDNS1123Subdomain } from './name-validation.util';
import { namespacedObjectMetaSchema } from './object-meta.schema';
import { nonNegativeInt, orEmpty } from './schema-kit.util';

/** autoscaling/v1 Scale: the body of a Deployment's scale subresource. */
export const scaleSchema = z.object({
  apiVersion: z.literal('autoscaling/v1'),
  kind: z.literal('Scale'),
  metadata: orEmpty(namespacedObjectMetaSchema(isDNS1123Subdomain)),
  spec: orEmpty(z.object({ replicas: nonNegativeInt().default(0) })),
  status: z.object({ replicas: nonNegativeInt().default(0), selector: z.string().optional() }).optional(),
});
export type Scale = z.output<typeof scaleSchema>;
