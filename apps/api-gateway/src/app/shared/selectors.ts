import { isQualifiedName, isValidLabelValue, LabelSelector, LabelSelectorRequirement, matchesLabelSelector } from '@berth/contracts';
import { BadRequest } from './api-errors';

/** A parsed `labelSelector` query: the selector, and its equality terms (checked in SQL first). */
export interface ParsedLabelSelector {
  selector: LabelSelector;
  equalities: Record<string, string>;
}

/** Splits on commas that are not inside parentheses: `a in (x,y),b` -> [`a in (x,y)`, `b`]. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (depth < 0) throw new BadRequest(`unable to parse requirement: unbalanced parenthesis in "${text}"`);
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += char;
  }
  if (depth !== 0) throw new BadRequest(`unable to parse requirement: unbalanced parenthesis in "${text}"`);
  terms.push(current.trim());
  return terms;
}

function checkKey(key: string): string {
  const errors = isQualifiedName(key);
  if (errors.length > 0) throw new BadRequest(`unable to parse requirement: key: Invalid value: ${JSON.stringify(key)}: ${errors.join('; ')}`);
  return key;
}

function checkValue(value: string): string {
  const errors = isValidLabelValue(value);
  if (errors.length > 0) throw new BadRequest(`unable to parse requirement: values[0]: Invalid value: ${JSON.stringify(value)}: ${errors.join('; ')}`);
  return value;
}

/** Kubernetes label selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function parseLabelSelector(text: string | undefined): ParsedLabelSelector | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const term of splitTerms(text)) {
    if (term === '') throw new BadRequest(`unable to parse requirement: empty term in "${text}"`);
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (set) {
      const values = set[3].split(',').map((v) => checkValue(v.trim()));
      matchExpressions.push({ key: checkKey(set[1]), operator: set[2] === 'in' ? 'In' : 'NotIn', values });
      continue;
    }
    const comparison = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (comparison) {
      const key = checkKey(comparison[1]);
      const value = checkValue(comparison[3]);
      if (comparison[2] === '!=') matchExpressions.push({ key, operator: 'NotIn', values: [value] });
      else if (matchLabels[key] !== undefined && matchLabels[key] !== value) matchExpressions.push({ key, operator: 'In', values: [value] });
      else matchLabels[key] = value;
      continue;
    }
    const exists = /^(!?)([^=!\s()]+)$/.exec(term);
    if (exists) {
      matchExpressions.push({ key: checkKey(exists[2]), operator: exists[1] ? 'DoesNotExist' : 'Exists' });
      continue;
    }
    throw new BadRequest(`unable to parse requirement: "${term}" is not a label selector term`);
  }
  return { selector: { matchLabels, matchExpressions }, equalities: matchLabels };
}

export function labelsMatch(parsed: ParsedLabelSelector | undefined, object: Record<string, unknown>): boolean {
  if (!parsed) return true;
  const labels = (object['metadata'] as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  return matchesLabelSelector(parsed.selector, labels);
}

/** A `fieldSelector` term: `metadata.name=web`, `status.phase!=Running`. */
export interface FieldRequirement {
  field: string;
  value: string;
  negated: boolean;
}

/** Fields every kind can be selected by; kinds add their own (pods: spec.nodeName, status.phase; events: involvedObject.*). */
export const COMMON_SELECTABLE_FIELDS = ['metadata.name', 'metadata.namespace'] as const;

export function parseFieldSelector(text: string | undefined, supported: readonly string[]): FieldRequirement[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((term) => {
    const match = /^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!match) throw new BadRequest(`invalid field selector: "${term}"`);
    if (!supported.includes(match[1])) throw new BadRequest(`field label not supported: ${match[1]}`);
    return { field: match[1], value: match[3], negated: match[2] === '!=' };
  });
}

function fieldValue(object: Record<string, unknown>, path: string): string {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return '';
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'string' ? current : String(current);
}

export function fieldsMatch(requirements: readonly FieldRequirement[], object: Record<string, unknown>): boolean {
  return requirements.every((r) => (fieldValue(object, r.field) === r.value) !== r.negated);
}
