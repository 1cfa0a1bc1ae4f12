import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FieldError, InvalidManifest, invalidStatus, NewEvent, Status, validateResource } from '@berth/contracts';
import { canonicalJson } from '@berth/cluster-state';
import { objectLimitsStatus } from '@berth/manifests';
import { JsonObject, ObjectRow, SERVER_META_FIELDS } from '@berth/api-read-models';
import { AppendRequest } from '@berth/event-store';
import { BadRequest, PatchFailed, ResourceAlreadyExists, ResourceConflict, ResourceNotFound } from '../shared/api-errors';
import { KubeObject } from '../shared/api-reply';
import { decodePatchBody, PatchKind } from '../shared/body-decoder';
import { applyJsonPatch, MalformedPatch, PatchNotApplicable } from '../shared/patch/json-patch';
import { applyMergePatch } from '../shared/patch/merge-patch';
import { RequestBody } from '../shared/raw-body.reader';
import { Caller } from '../shared/request-context';
import { successStatus } from '../shared/success-status';
import { ApiKind, NAMESPACES } from './api-kinds';
import { LiveObject, ObjectReads } from './object-reads.service';
import { ObjectWriter, reasonBy } from './object-writer.service';

/** A kind users write whole (Namespace, Deployment, Service, HorizontalPodAutoscaler) and the events that carry it. */
export interface ManifestKind {
  api: ApiKind;
  streamId(namespace: string | undefined, name: string): string;
  events: { created: string; updated: string; deleted: string };
  /** Fills what the server decides (node ports, ...); may throw InvalidManifest. */
  prepare?(manifest: JsonObject, current: ObjectRow | undefined): Promise<JsonObject>;
  /** Field errors of an update (immutable fields). */
  checkUpdate?(current: JsonObject, next: JsonObject): FieldError[];
  /** The events of an update; default: one `updated` event with the manifest, none when unchanged. */
  updateEvents?(current: JsonObject, next: JsonObject): NewEvent[];
  /** Apply only: `next` with the live values of the fields other commands own that `submitted` leaves out (kubectl apply keeps them). */
  keepOnApply?(submitted: JsonObject, current: JsonObject, next: JsonObject): JsonObject;
  /** Extra deletions that go with this object's (a namespace takes its objects along). */
  cascade?(row: ObjectRow, caller: Caller): Promise<AppendRequest[]>;
}

export type WriteAction = 'created' | 'configured' | 'unchanged';

export interface WriteOutcome {
  object: KubeObject;
  warnings: string[];
  action: WriteAction;
  /** Log position of the write (with `deferRead`: not yet known to be readable). */
  position?: number;
}

export interface WriteOptions {
  dryRun?: boolean;
  /**
   * Answer once the events are appended, without waiting for the read model to show them (the
   * caller waits once for the last `position`, e.g. POST /apply after all its objects). The
   * outcome's object is then the manifest as recorded, not the rendered object.
   */
  deferRead?: boolean;
}

export interface Validated {
  value: JsonObject & { metadata: JsonObject & { name: string; namespace?: string; resourceVersion?: string } };
  warnings: string[];
}

/** The manifest recorded in the log: no status, no server-owned metadata, the uid the server gave. */
export function toManifest(value: JsonObject, uid: string): JsonObject {
  const { apiVersion, kind, metadata, status: _status, ...rest } = value;
  const meta: JsonObject = { ...(metadata as JsonObject) };
  for (const field of SERVER_META_FIELDS) delete meta[field];
  return { apiVersion, kind, metadata: { ...meta, uid }, ...rest };
}

export function applyPatch(object: JsonObject, kind: PatchKind, patch: unknown): unknown {
  if (kind === 'merge') return applyMergePatch(object, patch);
  try {
    return applyJsonPatch(object, patch as unknown[]);
  } catch (error) {
    if (error instanceof MalformedPatch) throw new BadRequest(error.message);
    if (error instanceof PatchNotApplicable) throw new PatchFailed(`the patch could not be applied: ${error.message}`);
    throw error;
  }
}

function manifestOf(row: ObjectRow): JsonObject {
  return (row.internal['manifest'] as JsonObject | undefined) ?? {};
}

/**
 * Create, replace, patch, delete and apply of the kinds users write whole: validate, check
 * against the read model, append with the stream's expected version, answer what the read
 * model shows once it holds the write. Nothing is appended for a rejected request.
 */
@Injectable()
export class ManifestResources {
  constructor(
    private readonly reads: ObjectReads,
    private readonly writer: ObjectWriter,
  ) {}

  /**
   * Resolves once the read model shows every event up to `position`, after `writes` writes made
   * with `deferRead` (each would have had READ_WAIT_MS of its own).
   */
  async readable(position: number, writes = 1): Promise<void> {
    await this.writer.readable(position, writes);
  }

  /** validateResource, then the kind and namespace must be the ones of the URL. */
  validate(kind: ManifestKind, object: unknown, namespace: string | undefined): Validated {
    // Bodies and patched objects alike: lengths, counts and NUL characters (libs/manifests limits).
    const overLimits = objectLimitsStatus(object);
    if (overLimits) throw new InvalidManifest(overLimits);
    const result = validateResource(object, namespace !== undefined ? { namespace } : {});
    if (!result.ok) throw new InvalidManifest(result.status);
    const value = result.value as unknown as Validated['value'];
    if (value['kind'] !== kind.api.kind) throw new BadRequest(`the kind in the data (${String(value['kind'])}) does not match the expected kind (${kind.api.kind})`);
    if (value['apiVersion'] !== kind.api.apiVersion) {
      throw new BadRequest(`the API version in the data (${String(value['apiVersion'])}) does not match the expected API version (${kind.api.apiVersion})`);
    }
    if (kind.api.namespaced && namespace !== undefined && value.metadata.namespace !== namespace) {
      throw new BadRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    return { value, warnings: result.warnings };
  }

  async create(kind: ManifestKind, caller: Caller, namespace: string | undefined, object: unknown, options: WriteOptions = {}): Promise<WriteOutcome> {
    return this.createValidated(kind, caller, this.validate(kind, object, namespace), options);
  }

  async createValidated(kind: ManifestKind, caller: Caller, { value, warnings }: Validated, options: WriteOptions = {}): Promise<WriteOutcome> {
    const namespace = kind.api.namespaced ? value.metadata.namespace : undefined;
    const name = value.metadata.name;
    return this.writer.retrying(async () => {
      const [row, home] = await this.writer.checked(
        this.reads.rows([
          { kind: kind.api, namespace, name },
          ...(namespace !== undefined ? [{ kind: NAMESPACES, namespace: undefined, name: namespace }] : []),
        ]),
      );
      if (namespace !== undefined && (!home || home.deleted)) throw new ResourceNotFound(NAMESPACES, namespace);
      if (row && !row.deleted) throw new ResourceAlreadyExists(kind.api, name);
      let manifest = toManifest(value, randomUUID());
      if (kind.prepare) manifest = await kind.prepare(manifest, undefined);
      if (options.dryRun) return { object: manifest, warnings, action: 'created' };
      const streamId = kind.streamId(namespace, name);
      const position = await this.writer.commit(caller, [{ streamId, expected: row ? row.streamVersion : 'no_stream', events: [{ type: kind.events.created, data: { manifest } }] }], !options.deferRead);
      if (options.deferRead) return { object: manifest, warnings, action: 'created', position };
      return { object: (await this.reads.afterWrite(kind.api, namespace, name, streamId, position)).object, warnings, action: 'created' };
    });
  }

  async replace(kind: ManifestKind, caller: Caller, namespace: string | undefined, name: string, object: unknown, options: WriteOptions = {}): Promise<WriteOutcome> {
    const validated = this.validate(kind, object, namespace);
    if (validated.value.metadata.name !== name) {
      throw new BadRequest(`the name of the object (${validated.value.metadata.name}) does not match the name on the URL (${name})`);
    }
    return this.writer.retrying(async () => this.update(kind, caller, await this.reads.live(kind.api, namespace, name, true), validated, options));
  }

  async patch(kind: ManifestKind, caller: Caller, namespace: string | undefined, name: string, body: RequestBody, options: WriteOptions = {}): Promise<WriteOutcome> {
    const { kind: patchKind, patch } = decodePatchBody(body);
    return this.writer.retrying(async () => {
      const live = await this.reads.live(kind.api, namespace, name, true);
      const validated = this.validate(kind, applyPatch(live.row.object, patchKind, patch), namespace);
      if (validated.value.metadata.name !== name) throw new BadRequest(`the name of the object (${validated.value.metadata.name}) does not match the name on the URL (${name})`);
      return this.update(kind, caller, live, validated, options);
    });
  }

  /**
   * Create or update (kubectl apply, server side): what the manifest says becomes the object,
   * except the fields the kind keeps when the `submitted` document leaves them out.
   */
  async apply(kind: ManifestKind, caller: Caller, validated: Validated, options: WriteOptions = {}, submitted?: JsonObject): Promise<WriteOutcome> {
    const namespace = kind.api.namespaced ? validated.value.metadata.namespace : undefined;
    return this.writer.retrying(async () => {
      const row = await this.reads.row(kind.api, namespace, validated.value.metadata.name, true);
      if (!row || row.deleted) return this.createValidated(kind, caller, validated, options);
      const kept = submitted && kind.keepOnApply ? { ...validated, value: kind.keepOnApply(submitted, manifestOf(row), validated.value) as Validated['value'] } : validated;
      return this.update(kind, caller, { row, position: 0 }, kept, options);
    });
  }

  /**
   * An update from a validated object: a resourceVersion in it is a precondition (409 when
   * stale); an object equal to the current one appends nothing.
   */
  async update(kind: ManifestKind, caller: Caller, live: LiveObject, { value, warnings }: Validated, options: WriteOptions = {}): Promise<WriteOutcome> {
    const { row } = live;
    const precondition = value.metadata.resourceVersion;
    if (precondition !== undefined && precondition !== String(row.resourceVersion)) throw new ResourceConflict(kind.api, row.name);
    const current = manifestOf(row);
    let manifest = toManifest(value, row.uid);
    if (kind.prepare) manifest = await kind.prepare(manifest, row);
    const errors = kind.checkUpdate?.(current, manifest) ?? [];
    if (errors.length > 0) throw new InvalidManifest(invalidStatus({ kind: kind.api.kind, group: kind.api.group, name: row.name }, errors));
    const events = kind.updateEvents
      ? kind.updateEvents(current, manifest)
      : canonicalJson(current) === canonicalJson(manifest)
        ? []
        : [{ type: kind.events.updated, data: { manifest } }];
    if (events.length === 0) return { object: row.object, warnings, action: 'unchanged' };
    if (options.dryRun) return { object: manifest, warnings, action: 'configured' };
    const streamId = kind.streamId(row.namespace || undefined, row.name);
    const position = await this.writer.commit(caller, [{ streamId, expected: row.streamVersion, events }], !options.deferRead);
    if (options.deferRead) return { object: manifest, warnings, action: 'configured', position };
    return { object: (await this.reads.afterWrite(kind.api, row.namespace || undefined, row.name, streamId, position)).object, warnings, action: 'configured' };
  }

  async delete(kind: ManifestKind, caller: Caller, namespace: string | undefined, name: string, options: WriteOptions = {}): Promise<Status> {
    return this.writer.retrying(async () => {
      const { row } = await this.reads.live(kind.api, namespace, name);
      const requests: AppendRequest[] = [
        ...((await kind.cascade?.(row, caller)) ?? []),
        { streamId: kind.streamId(namespace, name), expected: row.streamVersion, events: [{ type: kind.events.deleted, data: { reason: reasonBy('deleted', caller) } }] },
      ];
      if (!options.dryRun) await this.writer.commit(caller, requests);
      return successStatus(`${kind.api.plural} "${name}" deleted`, { name, ...(kind.api.group ? { group: kind.api.group } : {}), kind: kind.api.plural, uid: row.uid });
    });
  }
}
