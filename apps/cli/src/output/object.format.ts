import { stringify } from 'yaml';
import type { KubeObject } from '../client/api.types';
import { qualifiedName, ResourceKind } from '../resources/resource-kinds';

export const OUTPUT_FORMATS = ['json', 'yaml', 'wide', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number] | 'table';

/** JSON as kubectl prints it: 4-space indent, the server's field order. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}

/** YAML as kubectl prints it: keys sorted (apiVersion, kind, metadata, spec, status), no line folding. */
export function toYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

/** Several objects print as a kubectl `List`. */
export function asList(items: readonly KubeObject[]): KubeObject {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}

/** `-o name`: `deployment.apps/web`. */
export function objectName(kind: ResourceKind, object: KubeObject): string {
  return `${qualifiedName(kind)}/${object.metadata?.name ?? ''}`;
}
