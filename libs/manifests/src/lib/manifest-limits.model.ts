import { Status } from '@berth/contracts';

/** Safety limits applied while decoding user manifests; every one has a default. */
export interface ManifestLimits {
  /** Whole body, in bytes (Kubernetes rejects request bodies above 3 MiB). */
  maxBytes: number;
  /** yaml's maxAliasCount: stops "billion laughs" alias bombs. */
  maxAliases: number;
  /** Nesting of mappings and lists inside one object. */
  maxDepth: number;
  /** Items in any single list (including a `kind: List`). */
  maxListLength: number;
  /** metadata.name, metadata.generateName and metadata.namespace, in bytes. */
  maxNameLength: number;
  /** Entries in any metadata.labels. */
  maxLabels: number;
  /** Entries in any metadata.annotations (their total size is checked by the validator: 256 KiB). */
  maxAnnotations: number;
  /** YAML documents in one body. */
  maxDocuments: number;
  /**
   * Tighter bounds for particular lists, by field path with `[*]` for any index
   * (`spec.template.spec.containers[*].env`); every other list has `maxListLength`.
   */
  fieldListLimits: Readonly<Record<string, number>>;
}

/** The lists a real workload keeps short, with room to spare; longer ones are a mistake or an attack. */
export const DEFAULT_FIELD_LIST_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  'spec.template.spec.containers': 64,
  'spec.template.spec.containers[*].ports': 256,
  'spec.template.spec.containers[*].env': 1_024,
  'spec.template.spec.containers[*].command': 1_024,
  'spec.template.spec.containers[*].args': 1_024,
  'spec.template.spec.tolerations': 256,
  'spec.template.spec.topologySpreadConstraints': 64,
  // Service
  'spec.ports': 256,
  // HorizontalPodAutoscaler
  'spec.metrics': 64,
});

export const DEFAULT_MANIFEST_LIMITS: Readonly<ManifestLimits> = Object.freeze({
  maxBytes: 3 * 1024 * 1024,
  maxAliases: 100,
  maxDepth: 64,
  maxListLength: 10_000,
  maxNameLength: 253,
  maxLabels: 64,
  maxAnnotations: 256,
  maxDocuments: 1_000,
  fieldListLimits: DEFAULT_FIELD_LIST_LIMITS,
});

export type ManifestErrorReason =
  | 'BodyTooLarge'
  | 'InvalidEncoding'
  | 'TooManyDocuments'
  | 'SyntaxError'
  | 'TooManyAliases'
  | 'TooDeep'
  | 'NotAMapping'
  | 'InvalidList'
  | 'ListTooLong'
  | 'NameTooLong'
  | 'TooManyLabels'
  | 'TooManyAnnotations'
  | 'InvalidCharacter'
  | 'UnrecognizedResource'
  | 'InvalidResource';

export interface ManifestError {
  reason: ManifestErrorReason;
  /** 0-based index of the YAML document in the body; absent for whole-body errors. */
  document?: number;
  /** 0-based index inside a `kind: List` document. */
  item?: number;
  /** Kubernetes-style path inside the object (or the document, for nesting errors). */
  field?: string;
  /** 1-based line in the body, when known. */
  line?: number;
  /** Full text naming the document and field, e.g. `document[1] (line 22): metadata.name: Too long: ...`. */
  message: string;
  /** The Kubernetes Status to answer with (400, 413 or 422). */
  status: Status;
}

export interface DocumentPosition {
  document: number;
  item?: number;
  line?: number;
}

export type ManifestDocument =
  | (DocumentPosition & { ok: true; object: Record<string, unknown> })
  | (DocumentPosition & { ok: false; errors: ManifestError[] });

export interface ParsedManifests {
  /** True when no document and no part of the body had an error. */
  ok: boolean;
  /** One entry per non-empty document (per item for `kind: List`), in body order. */
  documents: ManifestDocument[];
  /** Every error, whole-body and per document. */
  errors: ManifestError[];
}
