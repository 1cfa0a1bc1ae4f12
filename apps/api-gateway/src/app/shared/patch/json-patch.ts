import { canonicalJson } from '@berth/cluster-state';
import { PatchTooLarge } from '../api-errors';

/**
 * JSON Patch (RFC 6902) over JSON Pointers (RFC 6901): add, remove, replace, move, copy, test.
 * No JSON Patch library is installed, so this is a careful implementation of the RFC; the
 * document is cloned first and never changed in place, and keys are set as own properties
 * (a `__proto__` key is data, not a prototype).
 */

/** The patch is not a list of well-formed operations (400). */
export class MalformedPatch extends Error {
  override readonly name = 'MalformedPatch';
}

/** A well-formed operation could not be applied: missing path, failed test, ... (422). */
export class PatchNotApplicable extends Error {
  override readonly name = 'PatchNotApplicable';
}

/**
 * Bounds on the work one patch may ask for. `copy` can double the document with each operation
 * (40 operations of 60 bytes each reach terabytes) and `test` serialises what it compares, so
 * both are charged to one byte budget, as Kubernetes charges copies (its AccumulatedCopySizeLimit).
 */
export interface JsonPatchLimits {
  /** Kubernetes' maxJSONPatchOperations. */
  maxOperations: number;
  /** Bytes (as JSON) that all `copy` and `test` operations together may copy and compare. */
  maxWorkBytes: number;
}

export const DEFAULT_JSON_PATCH_LIMITS: Readonly<JsonPatchLimits> = Object.freeze({ maxOperations: 10_000, maxWorkBytes: 3 * 1024 * 1024 });

type Json = unknown;
type Container = Record<string, Json> | Json[];

const OPERATIONS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type OperationName = (typeof OPERATIONS)[number];

interface Operation {
  op: OperationName;
  path: string[];
  rawPath: string;
  from?: string[];
  rawFrom?: string;
  value?: Json;
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function isContainer(value: Json): value is Container {
  return typeof value === 'object' && value !== null;
}

function isRecord(value: Json): value is Record<string, Json> {
  return isContainer(value) && !Array.isArray(value);
}

/** "/a/b~1c/0" -> ["a", "b/c", "0"]; "" is the whole document. */
export function parsePointer(pointer: string, where: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new MalformedPatch(`${where}: "${pointer}" is not a JSON Pointer (it must start with "/")`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw new MalformedPatch(`${where}: "${pointer}" has an invalid escape (only ~0 and ~1 are allowed)`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function parseOperation(raw: Json, index: number): Operation {
  const where = `operation ${index}`;
  if (!isRecord(raw)) throw new MalformedPatch(`${where} is not an object`);
  const op = raw['op'];
  if (typeof op !== 'string' || !(OPERATIONS as readonly string[]).includes(op)) {
    throw new MalformedPatch(`${where}: "op" must be one of ${OPERATIONS.join(', ')}`);
  }
  if (typeof raw['path'] !== 'string') throw new MalformedPatch(`${where}: "path" must be a string`);
  const operation: Operation = { op: op as OperationName, path: parsePointer(raw['path'], where), rawPath: raw['path'] };
  if (op === 'move' || op === 'copy') {
    if (typeof raw['from'] !== 'string') throw new MalformedPatch(`${where}: "from" must be a string`);
    operation.from = parsePointer(raw['from'], where);
    operation.rawFrom = raw['from'];
  }
  if (op === 'add' || op === 'replace' || op === 'test') {
    if (!hasOwn(raw, 'value')) throw new MalformedPatch(`${where}: "value" is required for ${op}`);
    operation.value = raw['value'];
  }
  return operation;
}

function arrayIndex(array: Json[], token: string, allowEnd: boolean, pointer: string): number {
  if (token === '-' && allowEnd) return array.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchNotApplicable(`path "${pointer}": "${token}" is not an array index`);
  const index = Number(token);
  if (index > array.length || (!allowEnd && index === array.length)) throw new PatchNotApplicable(`path "${pointer}": index ${index} is out of bounds`);
  return index;
}

function resolve(document: Json, path: string[], pointer: string): Json {
  let current = document;
  for (const token of path) {
    if (Array.isArray(current)) current = current[arrayIndex(current, token, false, pointer)];
    else if (isRecord(current) && hasOwn(current, token)) current = current[token];
    else throw new PatchNotApplicable(`path "${pointer}" does not exist`);
  }
  return current;
}

function setOwn(object: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function add(document: Json, path: string[], value: Json, pointer: string): Json {
  if (path.length === 0) return value;
  const parent = resolve(document, path.slice(0, -1), pointer);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, pointer), 0, value);
  else if (isRecord(parent)) setOwn(parent, last, value);
  else throw new PatchNotApplicable(`path "${pointer}": its parent is not an object or array`);
  return document;
}

function remove(document: Json, path: string[], pointer: string): Json {
  if (path.length === 0) throw new PatchNotApplicable('the whole document cannot be removed');
  const parent = resolve(document, path.slice(0, -1), pointer);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, false, pointer), 1);
  else if (isRecord(parent) && hasOwn(parent, last)) delete parent[last];
  else throw new PatchNotApplicable(`path "${pointer}" does not exist`);
  return document;
}

function isProperPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length < path.length && prefix.every((token, i) => token === path[i]);
}

export function jsonEqual(a: Json, b: Json): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Applies the operations in order; the input is left as it was. All or nothing. */
export function applyJsonPatch(document: Json, operations: readonly Json[], limits: JsonPatchLimits = DEFAULT_JSON_PATCH_LIMITS): Json {
  if (operations.length > limits.maxOperations) {
    throw new PatchTooLarge(`the patch has ${operations.length} operations; at most ${limits.maxOperations} are allowed`);
  }
  const parsed = operations.map(parseOperation);
  let budget = limits.maxWorkBytes;
  const charge = (json: string, what: string): string => {
    budget -= json.length;
    if (budget < 0) throw new PatchTooLarge(`the patch copies and compares more than ${limits.maxWorkBytes} bytes (at ${what})`);
    return json;
  };
  let result = structuredClone(document);
  try {
    for (const op of parsed) {
      switch (op.op) {
        case 'add':
          result = add(result, op.path, structuredClone(op.value), op.rawPath);
          break;
        case 'remove':
          result = remove(result, op.path, op.rawPath);
          break;
        case 'replace':
          resolve(result, op.path, op.rawPath);
          result = op.path.length === 0 ? structuredClone(op.value) : add(remove(result, op.path, op.rawPath), op.path, structuredClone(op.value), op.rawPath);
          break;
        case 'move': {
          const from = op.from as string[];
          if (isProperPrefix(from, op.path)) throw new PatchNotApplicable(`cannot move "${op.rawFrom}" into its own child "${op.rawPath}"`);
          const value = resolve(result, from, op.rawFrom as string);
          if (from.length === op.path.length && from.every((t, i) => t === op.path[i])) break;
          result = add(remove(result, from, op.rawFrom as string), op.path, value, op.rawPath);
          break;
        }
        case 'copy': {
          const value = resolve(result, op.from as string[], op.rawFrom as string);
          // Measured before it is cloned: the clone is what would exhaust memory.
          result = add(result, op.path, JSON.parse(charge(JSON.stringify(value) ?? 'null', `copy from "${op.rawFrom}"`)), op.rawPath);
          break;
        }
        case 'test': {
          const actual = charge(canonicalJson(resolve(result, op.path, op.rawPath)), `test of "${op.rawPath}"`);
          if (actual !== canonicalJson(op.value)) throw new PatchNotApplicable(`test failed: the value at "${op.rawPath}" is not ${JSON.stringify(op.value)}`);
          break;
        }
      }
    }
  } catch (error) {
    // Serialising or cloning a value nested thousands deep overflows the stack: the patch asked too much.
    if (error instanceof RangeError) throw new PatchNotApplicable(`the patched document is nested too deeply: ${error.message}`);
    throw error;
  }
  return result;
}
