import { BadRequest } from './api-errors';
import { FieldRequirement, ParsedLabelSelector, parseFieldSelector, parseLabelSelector } from './selectors';

/** The query of a list or watch request, checked. */
export interface ListOptions {
  labels?: ParsedLabelSelector;
  fields: FieldRequirement[];
  /** 0: no limit. */
  limit: number;
  /** Continue after this key (from a `continue` token). */
  after?: { namespace: string; name: string };
  /** 0 or absent: "any" (the current state). */
  resourceVersion?: number;
  watch: boolean;
  timeoutSeconds?: number;
}

function nonNegativeInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new BadRequest(`${name} must be a non-negative integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseResourceVersion(value: string | undefined): number | undefined {
  return nonNegativeInt('resourceVersion', value);
}

export function encodeContinue(key: { namespace: string; name: string }): string {
  return Buffer.from(JSON.stringify([key.namespace, key.name])).toString('base64url');
}

function decodeContinue(token: string | undefined): { namespace: string; name: string } | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { namespace: value[0], name: value[1] };
  } catch {
    // Reported below: a token this server did not make.
  }
  throw new BadRequest('continue key is not valid');
}

export function parseListOptions(query: Record<string, string>, selectableFields: readonly string[]): ListOptions {
  const watch = query['watch'];
  if (watch !== undefined && !['true', 'false', '1', '0', ''].includes(watch)) throw new BadRequest(`watch must be true or false, not ${JSON.stringify(watch)}`);
  const labels = parseLabelSelector(query['labelSelector']);
  const after = decodeContinue(query['continue']);
  const resourceVersion = parseResourceVersion(query['resourceVersion']);
  const timeoutSeconds = nonNegativeInt('timeoutSeconds', query['timeoutSeconds']);
  return {
    ...(labels ? { labels } : {}),
    fields: parseFieldSelector(query['fieldSelector'], selectableFields),
    limit: nonNegativeInt('limit', query['limit']) ?? 0,
    ...(after ? { after } : {}),
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    watch: watch === 'true' || watch === '1',
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  };
}
