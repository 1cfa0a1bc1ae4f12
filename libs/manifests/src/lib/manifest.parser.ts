import { FieldError, formatFieldError, formatFieldPath, invalidStatus, Status, statusFor } from '@berth/contracts';
import { Composer, Document, LineCounter, Parser } from 'yaml';
import {
  DEFAULT_MANIFEST_LIMITS,
  DocumentPosition,
  ManifestDocument,
  ManifestError,
  ManifestErrorReason,
  ManifestLimits,
  ParsedManifests,
} from './manifest-limits.model';
import { findTooDeep, TooDeepAt } from './yaml-depth.util';

type Segment = string | number;
type JsonObject = Record<string, unknown>;

const asObject = (value: unknown): JsonObject | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/** `document[1] items[0] (line 22): ` */
function prefix(position: Partial<DocumentPosition>): string {
  if (position.document === undefined) return '';
  const item = position.item === undefined ? '' : ` items[${position.item}]`;
  const line = position.line === undefined ? '' : ` (line ${position.line})`;
  return `document[${position.document}]${item}${line}: `;
}

function badRequest(reason: ManifestErrorReason, position: Partial<DocumentPosition>, detail: string, field?: string): ManifestError {
  const message = `${prefix(position)}${detail}`;
  return { reason, ...position, ...(field ? { field } : {}), message, status: statusFor(400, 'BadRequest', message) };
}

/** Limits broken by fields: a 422 naming the object and each field, like a validation error. */
function fieldViolationsStatus(object: JsonObject, fieldErrors: FieldError[], limits: ManifestLimits): Status {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const name = asObject(object.metadata)?.name;
  return invalidStatus(
    {
      kind: typeof object.kind === 'string' ? object.kind : 'Object',
      group: apiVersion.includes('/') ? apiVersion.split('/')[0] : '',
      name: typeof name === 'string' && Buffer.byteLength(name) <= limits.maxNameLength && !name.includes(NUL) ? name : '',
    },
    fieldErrors,
  );
}

/** A limit broken by one field: a 422 naming the object, like a validation error. */
function fieldViolation(reason: ManifestErrorReason, position: Partial<DocumentPosition>, object: JsonObject, fieldError: FieldError, limits: ManifestLimits): ManifestError {
  const status = fieldViolationsStatus(object, [fieldError], limits);
  return { reason, ...position, field: fieldError.field, message: `${prefix(position)}${formatFieldError(fieldError)}`, status };
}

interface Frame {
  value: unknown;
  depth: number;
  parent?: Frame;
  segment?: Segment;
}

function pathOf(frame: Frame): Segment[] {
  const path: Segment[] = [];
  for (let f: Frame | undefined = frame; f?.segment !== undefined; f = f.parent) path.unshift(f.segment);
  return path;
}

interface Violation {
  reason: ManifestErrorReason;
  path: Segment[];
  fieldError?: FieldError;
  detail?: string;
}

/** `spec.template.spec.containers[0].env` -> `spec.template.spec.containers[*].env`, the key of `fieldListLimits`. */
function listPattern(path: Segment[]): string {
  return formatFieldPath(path.map((segment) => (typeof segment === 'number' ? '[*]' : segment)));
}

/** Postgres text (and so the log's jsonb) cannot hold NUL; no Kubernetes field needs it. */
const NUL = '\u0000';
const NUL_DETAIL = 'must not contain the NUL character (\\u0000)';

/** Labels and annotations are limited in number where they are metadata (of the object or of a template). */
function mapCountViolation(frame: Frame, entries: number, limits: ManifestLimits, path: () => Segment[]): Violation | undefined {
  if (frame.parent?.segment !== 'metadata') return undefined;
  const [reason, max] =
    frame.segment === 'labels' ? (['TooManyLabels', limits.maxLabels] as const) : frame.segment === 'annotations' ? (['TooManyAnnotations', limits.maxAnnotations] as const) : [];
  if (!reason || max === undefined || entries <= max) return undefined;
  const field = formatFieldPath(path());
  return { reason, path: path(), fieldError: { type: 'TooMany', field, value: entries, detail: `must have at most ${max} items` } };
}

/** Every limit one decoded object breaks, walking it without recursion. */
function limitViolations(object: JsonObject, limits: ManifestLimits): Violation[] {
  const violations: Violation[] = [];
  const metadata = asObject(object.metadata);
  for (const key of ['name', 'generateName', 'namespace']) {
    const value = metadata?.[key];
    if (typeof value === 'string' && Buffer.byteLength(value) > limits.maxNameLength) {
      const path = ['metadata', key];
      violations.push({
        reason: 'NameTooLong',
        path,
        fieldError: { type: 'TooLong', field: formatFieldPath(path), detail: `may not be more than ${limits.maxNameLength} bytes` },
      });
    }
  }
  const stack: Frame[] = [{ value: object, depth: 0 }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { value } = frame;
    const path = (): Segment[] => pathOf(frame as Frame);
    if (typeof value === 'string' && value.includes(NUL)) {
      violations.push({ reason: 'InvalidCharacter', path: path(), fieldError: { type: 'Invalid', field: formatFieldPath(path()), value, detail: NUL_DETAIL } });
    }
    if (typeof value !== 'object' || value === null) continue;
    const depth = frame.depth + 1;
    if (depth > limits.maxDepth) {
      violations.push({ reason: 'TooDeep', path: path(), detail: `nested more than ${limits.maxDepth} levels deep` });
      continue;
    }
    if (Array.isArray(value)) {
      const max = Math.min(limits.maxListLength, limits.fieldListLimits[listPattern(path())] ?? Infinity);
      if (value.length > max) {
        const field = formatFieldPath(path());
        violations.push({
          reason: 'ListTooLong',
          path: path(),
          fieldError: { type: 'TooMany', field, value: value.length, detail: `must have at most ${max} items` },
        });
        continue;
      }
      // Pushed in reverse so the depth-first walk reports in document order.
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth, parent: frame, segment: i });
      continue;
    }
    const entries = Object.entries(value);
    const tooMany = mapCountViolation(frame, entries.length, limits, path);
    if (tooMany) violations.push(tooMany);
    for (const [key] of entries) {
      if (!key.includes(NUL)) continue;
      const keyPath = [...path(), key];
      violations.push({ reason: 'InvalidCharacter', path: keyPath, fieldError: { type: 'Invalid', field: formatFieldPath(keyPath), value: key, detail: `the key ${NUL_DETAIL}` } });
    }
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], depth, parent: frame, segment: entries[i][0] });
  }
  return violations;
}

/**
 * The limits one decoded object (a JSON body, or an object after a patch) breaks, as the
 * Kubernetes Status to answer with: 422 naming every field (lengths, counts, NUL characters),
 * or 400 when it is nested too deep. Undefined when it keeps them all.
 */
export function objectLimitsStatus(object: unknown, limits: Partial<ManifestLimits> = {}): Status | undefined {
  const record = asObject(object);
  if (!record) return undefined;
  const effective: ManifestLimits = { ...DEFAULT_MANIFEST_LIMITS, ...limits };
  const violations = limitViolations(record, effective);
  if (violations.length === 0) return undefined;
  const structural = violations.find((v) => !v.fieldError);
  if (structural) {
    const field = formatFieldPath(structural.path);
    return statusFor(400, 'BadRequest', `${field ? `${field}: ` : ''}${structural.detail ?? structural.reason}`);
  }
  return fieldViolationsStatus(record, violations.map((v) => v.fieldError as FieldError), effective);
}

function lineOf(lineCounter: LineCounter, offset: number | undefined): number | undefined {
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/** The line of the node at `path`, when the document still has it (aliases and merges may not). */
function lineAt(doc: Document.Parsed, lineCounter: LineCounter, path: Segment[]): number | undefined {
  try {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return lineOf(lineCounter, range?.[0]);
  } catch {
    return undefined;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/:$/, '');
}

const isListKind = (object: JsonObject): boolean =>
  object.kind === 'List' || (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items));

class DocumentParser {
  readonly documents: ManifestDocument[] = [];
  readonly errors: ManifestError[] = [];

  constructor(
    private readonly limits: ManifestLimits,
    private readonly lineCounter: LineCounter,
  ) {}

  fail(position: DocumentPosition, errors: ManifestError[]): void {
    this.documents.push({ ...position, ok: false, errors });
    this.errors.push(...errors);
  }

  tooDeep(document: number, at: TooDeepAt): void {
    const position = { document, line: lineOf(this.lineCounter, at.offset) };
    const field = formatFieldPath(at.path);
    const where = field ? `${field}: ` : '';
    this.fail(position, [badRequest('TooDeep', position, `${where}nested more than ${this.limits.maxDepth} levels deep`, field)]);
  }

  accept(document: number, doc: Document.Parsed): void {
    const line = lineOf(this.lineCounter, doc.contents?.range[0] ?? doc.range[0]);
    const position: DocumentPosition = { document, ...(line !== undefined ? { line } : {}) };
    if (doc.errors.length > 0) {
      const errors = doc.errors.map((e) => {
        const errorLine = lineOf(this.lineCounter, e.pos[0]) ?? line;
        return badRequest('SyntaxError', { document, ...(errorLine !== undefined ? { line: errorLine } : {}) }, firstLine(e.message));
      });
      return this.fail(position, errors);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: this.limits.maxAliases });
    } catch (error) {
      const aliasBomb = error instanceof ReferenceError && /alias/i.test(error.message);
      const detail = aliasBomb
        ? `too many aliases (more than ${this.limits.maxAliases}): ${error.message}`
        : `could not be decoded: ${error instanceof Error ? error.message : String(error)}`;
      return this.fail(position, [badRequest(aliasBomb ? 'TooManyAliases' : 'SyntaxError', position, detail)]);
    }
    if (value === null || value === undefined) return;
    const object = asObject(value);
    if (!object) {
      return this.fail(position, [badRequest('NotAMapping', position, `must be a mapping (an object with apiVersion and kind), not ${describe(value)}`)]);
    }
    if (!isListKind(object)) return this.acceptObject(doc, object, position, []);

    const items = object.items;
    if (!Array.isArray(items)) {
      const detail = items === undefined ? 'items: Required value' : `items: Invalid value: must be a list, not ${describe(items)}`;
      return this.fail(position, [badRequest('InvalidList', position, detail, 'items')]);
    }
    if (items.length > this.limits.maxListLength) {
      const fieldError: FieldError = { type: 'TooMany', field: 'items', value: items.length, detail: `must have at most ${this.limits.maxListLength} items` };
      return this.fail(position, [fieldViolation('ListTooLong', position, object, fieldError, this.limits)]);
    }
    items.forEach((item, i) => {
      const itemLine = lineAt(doc, this.lineCounter, ['items', i]);
      const itemPosition: DocumentPosition = { document, item: i, ...(itemLine !== undefined ? { line: itemLine } : {}) };
      const itemObject = asObject(item);
      if (!itemObject) {
        return this.fail(itemPosition, [
          badRequest('NotAMapping', itemPosition, `must be a mapping (an object with apiVersion and kind), not ${describe(item)}`),
        ]);
      }
      this.acceptObject(doc, itemObject, itemPosition, ['items', i]);
    });
  }

  private acceptObject(doc: Document.Parsed, object: JsonObject, position: DocumentPosition, base: Segment[]): void {
    const violations = limitViolations(object, this.limits);
    if (violations.length === 0) {
      this.documents.push({ ...position, ok: true, object });
      return;
    }
    const errors = violations.map((v) => {
      const line = lineAt(doc, this.lineCounter, [...base, ...v.path]) ?? position.line;
      const at = { ...position, ...(line !== undefined ? { line } : {}) };
      if (v.fieldError) return fieldViolation(v.reason, at, object, v.fieldError, this.limits);
      const field = formatFieldPath(v.path);
      return badRequest(v.reason, at, `${field ? `${field}: ` : ''}${v.detail ?? v.reason}`, field);
    });
    this.fail(position, errors);
  }
}

function bodyError(reason: ManifestErrorReason, message: string, code = 400): ParsedManifests {
  const status = statusFor(code, code === 413 ? 'RequestEntityTooLarge' : 'BadRequest', message);
  const error: ManifestError = { reason, message, status };
  return { ok: false, documents: [], errors: [error] };
}

function decode(input: unknown, limits: ManifestLimits): string | ParsedManifests {
  if (typeof input === 'string') {
    if (Buffer.byteLength(input) > limits.maxBytes) return bodyError('BodyTooLarge', `Request entity too large: limit is ${limits.maxBytes}`, 413);
    return input;
  }
  if (input instanceof Uint8Array) {
    if (input.byteLength > limits.maxBytes) return bodyError('BodyTooLarge', `Request entity too large: limit is ${limits.maxBytes}`, 413);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return bodyError('InvalidEncoding', 'the body is not valid UTF-8');
    }
  }
  return bodyError('SyntaxError', `the body must be text, not ${describe(input)}`);
}

function parse(input: unknown, limits: ManifestLimits): ParsedManifests {
  const text = decode(input, limits);
  if (typeof text !== 'string') return text;

  const lineCounter = new LineCounter();
  const parser = new DocumentParser(limits, lineCounter);
  const composer = new Composer({ merge: true, uniqueKeys: true, prettyErrors: true, lineCounter });
  // The composer yields each document one token late; this queue says which index (and verdict) it belongs to.
  const pending: { index: number; tooDeep?: TooDeepAt }[] = [];
  let count = 0;
  const accept = (docs: Iterable<Document.Parsed>): void => {
    for (const doc of docs) {
      const { index, tooDeep } = pending.shift() ?? { index: count++ };
      if (tooDeep) parser.tooDeep(index, tooDeep);
      else parser.accept(index, doc);
    }
  };

  for (const token of new Parser(lineCounter.addNewLine).parse(text)) {
    if (token.type !== 'document') {
      accept(composer.next(token));
      continue;
    }
    const index = count++;
    if (index >= limits.maxDocuments) {
      const tooMany = bodyError('TooManyDocuments', `the body has more than ${limits.maxDocuments} documents`);
      return { ok: false, documents: parser.documents, errors: [...parser.errors, ...tooMany.errors] };
    }
    // A List wraps its items two levels down, so those levels do not count against the limit.
    const tooDeep = findTooDeep(token, limits.maxDepth + 2);
    pending.push({ index, ...(tooDeep ? { tooDeep } : {}) });
    // A too-deep document is composed as an empty stand-in: the composer recurses and would overflow.
    accept(composer.next(tooDeep ? { ...token, value: undefined } : token));
  }
  accept(composer.end(true, text.length));
  return { ok: parser.errors.length === 0, documents: parser.documents, errors: parser.errors };
}

/**
 * Decodes a request or file body holding one or more manifests: multi-document YAML
 * ("---"), JSON, or a `kind: List`, with safety limits against hostile input.
 * Empty documents are skipped; every other document (or List item) gets a result
 * naming its index. Never throws.
 */
export function parseManifests(input: string | Uint8Array, limits: Partial<ManifestLimits> = {}): ParsedManifests {
  const effective: ManifestLimits = { ...DEFAULT_MANIFEST_LIMITS, ...limits };
  try {
    return parse(input, effective);
  } catch (error) {
    return bodyError('SyntaxError', `the body could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
