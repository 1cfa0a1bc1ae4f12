import { LabelSelector, Labels } from './types';

const EMPTY: Labels = Object.freeze({});

/** Kubernetes LabelSelector semantics: all matchLabels and all matchExpressions must hold; absent selects nothing. */
export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  if (!selector) return false;
  const own = labels ?? EMPTY;
  const matchLabels = selector.matchLabels;
  if (matchLabels) {
    for (const key in matchLabels) {
      if (own[key] !== matchLabels[key]) return false;
    }
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(own, req.key);
    switch (req.operator) {
      case 'In':
        if (!has || !(req.values ?? []).includes(own[req.key])) return false;
        break;
      case 'NotIn':
        if (has && (req.values ?? []).includes(own[req.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
