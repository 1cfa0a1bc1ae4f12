import { Resource, validateResource } from '@berth/contracts';
import { DocumentPosition, ManifestError, ManifestLimits } from './manifest-limits.model';
import { parseManifests } from './manifest.parser';

export interface LoadManifestsOptions {
  limits?: Partial<ManifestLimits>;
  /** Namespace for namespaced objects that name none; default "default". */
  namespace?: string;
}

export type LoadedManifest =
  | (DocumentPosition & { ok: true; value: Resource; warnings: string[] })
  | (DocumentPosition & { ok: false; errors: ManifestError[] });

export interface LoadedManifests {
  ok: boolean;
  documents: LoadedManifest[];
  errors: ManifestError[];
}

/** parseManifests, then validateResource on every object: what `apply -f` and the gateway need. Never throws. */
export function loadManifests(input: string | Uint8Array, options: LoadManifestsOptions = {}): LoadedManifests {
  const parsed = parseManifests(input, options.limits);
  const errors: ManifestError[] = parsed.errors.filter((e) => e.document === undefined);
  const documents = parsed.documents.map((doc): LoadedManifest => {
    const position: DocumentPosition = {
      document: doc.document,
      ...(doc.item !== undefined ? { item: doc.item } : {}),
      ...(doc.line !== undefined ? { line: doc.line } : {}),
    };
    if (!doc.ok) {
      errors.push(...doc.errors);
      return doc;
    }
    const result = validateResource(doc.object, { namespace: options.namespace });
    if (result.ok) return { ...position, ok: true, value: result.value, warnings: result.warnings };
    const item = position.item === undefined ? '' : ` items[${position.item}]`;
    const line = position.line === undefined ? '' : ` (line ${position.line})`;
    const error: ManifestError = {
      reason: result.status.reason === 'Invalid' ? 'InvalidResource' : 'UnrecognizedResource',
      ...position,
      message: `document[${position.document}]${item}${line}: ${result.status.message}`,
      status: result.status,
    };
    errors.push(error);
    return { ...position, ok: false, errors: [error] };
  });
  return { ok: errors.length === 0, documents, errors };
}
