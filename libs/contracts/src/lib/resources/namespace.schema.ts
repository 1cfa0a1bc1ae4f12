import { z } from 'zod';
import { isDNS1123Label } from './name-validation.util';
import { clusterObjectMetaSchema } from './object-meta.schema';
import { orEmpty } from './schema-kit.util';

export const namespaceSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Namespace'),
  metadata: orEmpty(clusterObjectMetaSchema(isDNS1123Label)),
  spec: z.object({ finalizers: z.array(z.string()).optional() }).optional(),
  status: z.object({ phase: z.enum(['Active', 'Terminating']).optional() }).optional(),
});
export type Namespace = z.output<typeof namespaceSchema>;
export type NamespaceInput = z.input<typeof namespaceSchema>;
