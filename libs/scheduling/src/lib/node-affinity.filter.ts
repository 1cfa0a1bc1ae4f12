import { Labels, NodeSelectorRequirement, NodeSelectorTerm, ReplicaSpec } from './types';

const EMPTY: Labels = Object.freeze({});

function parseInteger(value: string): number | undefined {
  return /^-?\d+$/.test(value) ? Number(value) : undefined;
}

export function matchesNodeSelectorRequirement(req: NodeSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(labels[req.key]);
    case 'NotIn':
      return !has || !values.includes(labels[req.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false;
      const actual = parseInteger(labels[req.key]);
      const bound = parseInteger(values[0]);
      if (actual === undefined || bound === undefined) return false;
      return req.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/** A term is the AND of its expressions; an empty term matches nothing (as in Kubernetes). */
export function matchesNodeSelectorTerm(term: NodeSelectorTerm, labels: Labels | undefined): boolean {
  const exprs = term.matchExpressions ?? [];
  if (exprs.length === 0) return false;
  const own = labels ?? EMPTY;
  for (const req of exprs) {
    if (!matchesNodeSelectorRequirement(req, own)) return false;
  }
  return true;
}

/** nodeSelector AND (any of the required nodeSelectorTerms). */
export function matchesNodeAffinity(replica: Pick<ReplicaSpec, 'nodeSelector' | 'affinity'>, labels: Labels | undefined): boolean {
  const own = labels ?? EMPTY;
  const selector = replica.nodeSelector;
  if (selector) {
    for (const key in selector) {
      if (own[key] !== selector[key]) return false;
    }
  }
  const required = replica.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    let any = false;
    for (const term of required.nodeSelectorTerms) {
      if (matchesNodeSelectorTerm(term, own)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

/** Sum of the weights of the preferred terms the node matches (NodeAffinity score before normalizing). */
export function preferredNodeAffinityScore(replica: Pick<ReplicaSpec, 'affinity'>, labels: Labels | undefined): number {
  let score = 0;
  for (const pref of replica.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (pref.weight !== 0 && matchesNodeSelectorTerm(pref.preference, labels)) score += pref.weight;
  }
  return score;
}
