import { createHash } from 'node:crypto';
import { PodTemplate } from './cluster-state.model';

/** Kubernetes' alphabet for generated names: no vowels (no words), no look-alikes. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** JSON with object keys sorted and undefined fields dropped: equal templates give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function encodeSafe(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[bytes[i] % SAFE_ALPHABET.length];
  return out;
}

/**
 * Stable hash of a pod template (the `pod-template-hash` of its ReplicaSet in Kubernetes): key order
 * does not matter, and a `pod-template-hash` label already on the template is ignored.
 */
export function templateHash(template: PodTemplate): string {
  const metadata = template['metadata'] as Record<string, unknown> | undefined;
  const labels = metadata?.['labels'] as Record<string, unknown> | undefined;
  let subject: unknown = template;
  if (labels && POD_TEMPLATE_HASH_LABEL in labels) {
    const { [POD_TEMPLATE_HASH_LABEL]: _ignored, ...rest } = labels;
    subject = { ...template, metadata: { ...metadata, labels: rest } };
  }
  return encodeSafe(createHash('sha256').update(canonicalJson(subject)).digest(), 10);
}

/** Pod-style name of a replica: `<deployment>-<templateHash>-<5 characters from the uid>`. */
export function replicaName(deployment: string, hash: string, uid: string): string {
  return `${deployment}-${hash}-${encodeSafe(createHash('sha256').update(uid).digest(), 5)}`;
}
