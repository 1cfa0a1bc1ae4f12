import { isQualifiedName, isValidLabelValue, type NodeHeartbeat } from '@berth/contracts';

export type Taint = NodeHeartbeat['taints'][number];

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** A NODE_LABELS or NODE_TAINTS entry that does not parse; the message names the entry. */
export class InvalidNodeSetting extends Error {
  override readonly name = 'InvalidNodeSetting';
}

/** `k=v,k2=v2` (kubectl label syntax) -> labels; keys and values checked like Kubernetes does. */
export function parseNodeLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const entry of entries(text)) {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new InvalidNodeSetting(`"${entry}": expected key=value`);
    const key = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    const problems = [...isQualifiedName(key).map((p) => `key ${p}`), ...isValidLabelValue(value).map((p) => `value ${p}`)];
    if (problems.length) throw new InvalidNodeSetting(`"${entry}": ${problems.join('; ')}`);
    if (key in labels) throw new InvalidNodeSetting(`"${entry}": duplicate key "${key}"`);
    labels[key] = value;
  }
  return labels;
}

/** `key=value:Effect,key:Effect` (kubectl taint syntax) -> taints. */
export function parseNodeTaints(text: string): Taint[] {
  const taints: Taint[] = [];
  const seen = new Set<string>();
  for (const entry of entries(text)) {
    const colon = entry.lastIndexOf(':');
    if (colon < 0) throw new InvalidNodeSetting(`"${entry}": expected key[=value]:Effect`);
    const effect = entry.slice(colon + 1).trim();
    if (!(TAINT_EFFECTS as readonly string[]).includes(effect)) {
      throw new InvalidNodeSetting(`"${entry}": effect must be one of ${TAINT_EFFECTS.join(', ')}`);
    }
    const keyValue = entry.slice(0, colon);
    const eq = keyValue.indexOf('=');
    const key = (eq < 0 ? keyValue : keyValue.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : keyValue.slice(eq + 1).trim();
    const problems = [...isQualifiedName(key).map((p) => `key ${p}`), ...(value !== undefined ? isValidLabelValue(value).map((p) => `value ${p}`) : [])];
    if (problems.length) throw new InvalidNodeSetting(`"${entry}": ${problems.join('; ')}`);
    // Kubernetes allows one taint per key and effect.
    const identity = `${key}:${effect}`;
    if (seen.has(identity)) throw new InvalidNodeSetting(`"${entry}": duplicate taint ${identity}`);
    seen.add(identity);
    taints.push({ key, ...(value !== undefined ? { value } : {}), effect: effect as Taint['effect'] });
  }
  return taints;
}

function entries(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}
