import { z } from 'zod';
import { isDNS1123Label, maskTrailingDash } from './name-validation.util';
import {
  annotationsMap,
  asRecord,
  asString,
  crossRules,
  FieldReporter,
  formattedString,
  integer,
  labelsMap,
  rules,
  timestamp,
} from './schema-kit.util';

export const DEFAULT_NAMESPACE = 'default';

const GENERATED_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED_SUFFIX_LENGTH = 5;
const MAX_GENERATED_BASE_LENGTH = 58;

/** generateName + 5 random characters, as the Kubernetes API server names such objects. */
export function generateNameFrom(base: string): string {
  let suffix = '';
  for (let i = 0; i < GENERATED_SUFFIX_LENGTH; i++) {
    suffix += GENERATED_SUFFIX_ALPHABET[Math.floor(Math.random() * GENERATED_SUFFIX_ALPHABET.length)];
  }
  return `${base.slice(0, MAX_GENERATED_BASE_LENGTH)}${suffix}`;
}

const commonMetaShape = {
  name: z.string().optional(),
  generateName: z.string().optional(),
  labels: labelsMap().optional(),
  annotations: annotationsMap().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: rules(integer(), (value, r) => {
    if (value < 0) r.invalid([], value, 'must be greater than or equal to 0');
  }).optional(),
  creationTimestamp: timestamp().optional(),
  deletionTimestamp: timestamp().optional(),
};

const isUnset = (value: unknown): boolean => value === undefined || value === '';

function checkNames(validateName: (name: string) => string[]) {
  return (meta: unknown, r: FieldReporter): void => {
    const m = asRecord(meta);
    if (!m) return;
    if (isUnset(m.name) && isUnset(m.generateName)) r.required(['name'], 'name or generateName is required');
    const name = asString(m.name);
    if (name) for (const msg of validateName(name)) r.invalid(['name'], name, msg);
    const generateName = asString(m.generateName);
    if (generateName) for (const msg of validateName(maskTrailingDash(generateName))) r.invalid(['generateName'], generateName, msg);
  };
}

function withName<T extends { name?: string; generateName?: string }>(meta: T): T & { name: string } {
  return { ...meta, name: meta.name || generateNameFrom(meta.generateName ?? '') };
}

/** metadata of namespaced kinds; `namespace` defaults to "default". */
export function namespacedObjectMetaSchema(validateName: (name: string) => string[]) {
  return crossRules(z.object({ ...commonMetaShape, namespace: formattedString(isDNS1123Label).optional() }), checkNames(validateName)).transform(
    (meta) => withName({ ...meta, namespace: meta.namespace || DEFAULT_NAMESPACE }),
  );
}

/** metadata of cluster-scoped kinds (Namespace, Node): a namespace is an error. */
export function clusterObjectMetaSchema(validateName: (name: string) => string[]) {
  return crossRules(z.object({ ...commonMetaShape, namespace: z.string().optional() }), (meta, r) => {
    checkNames(validateName)(meta, r);
    if (!isUnset(asRecord(meta)?.namespace)) r.forbidden(['namespace'], 'not allowed on this type');
  }).transform(({ namespace: _namespace, ...meta }) => withName(meta));
}

export type ObjectMeta = z.output<ReturnType<typeof namespacedObjectMetaSchema>>;
export type ClusterObjectMeta = z.output<ReturnType<typeof clusterObjectMetaSchema>>;

/** metadata of a pod template: only labels and annotations matter. */
export const podTemplateMetadataSchema = z.object({
  name: z.string().optional(),
  labels: labelsMap().optional(),
  annotations: annotationsMap().optional(),
});
export type PodTemplateMetadata = z.output<typeof podTemplateMetadataSchema>;
