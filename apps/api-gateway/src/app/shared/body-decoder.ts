import { InvalidManifest } from '@berth/contracts';
import { DEFAULT_MANIFEST_LIMITS, parseManifests } from '@berth/manifests';
import { BadRequest, UnsupportedMediaType } from './api-errors';
import { RequestBody } from './raw-body.reader';

export const JSON_TYPES = ['application/json'] as const;
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'] as const;
export const OBJECT_TYPES = [...JSON_TYPES, ...YAML_TYPES] as const;
export const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'] as const;

export type PatchKind = 'merge' | 'json';

/** Deeper than any real manifest: decoded JSON beyond this is refused before anything walks it. */
export const MAX_JSON_DEPTH = DEFAULT_MANIFEST_LIMITS.maxDepth;

/** `application/json; charset=utf-8` -> `application/json`. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type ? type : undefined;
}

function requireBytes(body: RequestBody): Buffer {
  if (!body.bytes || body.bytes.length === 0) throw new BadRequest('the request body is empty');
  return body.bytes;
}

/** Deepest nesting of a decoded JSON value, measured without recursion; stops once past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export function parseJson(bytes: Buffer, what = 'the request body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new BadRequest(`${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (jsonDepth(value) > MAX_JSON_DEPTH) throw new BadRequest(`${what} is nested more than ${MAX_JSON_DEPTH} levels deep`);
  return value;
}

/**
 * The one object of a create or replace body, as JSON or YAML. YAML goes through the manifest
 * parser's limits (aliases, depth, size): a bomb is a 400, never a hung or crashed server.
 */
export function decodeObjectBody(body: RequestBody, maxBytes: number): unknown {
  const type = mediaType(body.contentType);
  if (!type || !(OBJECT_TYPES as readonly string[]).includes(type)) throw new UnsupportedMediaType(type, OBJECT_TYPES);
  const bytes = requireBytes(body);
  if ((JSON_TYPES as readonly string[]).includes(type)) return parseJson(bytes);
  const parsed = parseManifests(bytes, { maxBytes });
  const wholeBody = parsed.errors.find((e) => e.document === undefined);
  if (wholeBody) throw new InvalidManifest(wholeBody.status);
  if (parsed.documents.length !== 1) throw new BadRequest(`the request body must hold exactly one object, not ${parsed.documents.length}`);
  const document = parsed.documents[0];
  if (!document.ok) throw new InvalidManifest(document.errors[0].status);
  return document.object;
}

/** A multi-document body for /apply: JSON or YAML (both go through the manifest parser). */
export function requireManifestBody(body: RequestBody): Buffer {
  const type = mediaType(body.contentType);
  if (!type || !(OBJECT_TYPES as readonly string[]).includes(type)) throw new UnsupportedMediaType(type, OBJECT_TYPES);
  return requireBytes(body);
}

/** A PATCH body: a merge patch (JSON object) or a JSON Patch (array of operations). */
export function decodePatchBody(body: RequestBody): { kind: PatchKind; patch: unknown } {
  const type = mediaType(body.contentType);
  if (!type || !(PATCH_TYPES as readonly string[]).includes(type)) throw new UnsupportedMediaType(type, PATCH_TYPES);
  const patch = parseJson(requireBytes(body), 'the patch');
  if (type === 'application/json-patch+json') {
    if (!Array.isArray(patch)) throw new BadRequest('a JSON Patch must be an array of operations');
    return { kind: 'json', patch };
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new BadRequest('a merge patch must be a JSON object');
  return { kind: 'merge', patch };
}

/** An optional small JSON body (e.g. rollback options); empty is fine. */
export function decodeOptionalJson(body: RequestBody): unknown {
  if (!body.bytes || body.bytes.length === 0) return undefined;
  const type = mediaType(body.contentType);
  if (type !== 'application/json') throw new UnsupportedMediaType(type, JSON_TYPES);
  return parseJson(body.bytes);
}
