import { z } from 'zod';
import { formatFieldPath } from './field-error.model';

type Segment = string | number;

/**
 * Fields present in `value` that `schema` does not know, as kubectl reports them
 * (`unknown field "spec.foo"`). zod drops such fields silently, so they are found
 * by walking the schema definition alongside the value.
 */
export function unknownFields(schema: z.ZodType, value: unknown): string[] {
  const found: string[] = [];
  walk(schema, value, [], found);
  return found.map((path) => `unknown field "${path}"`);
}

function walk(schema: z.core.$ZodType, value: unknown, path: Segment[], found: string[]): void {
  const s = schema as z.core.$ZodTypes;
  const def = s._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return walk(def.innerType, value, path, found);
    case 'pipe':
      // A preprocess pipe starts with a transform; the shape is on its output side.
      return walk(def.in._zod.def.type === 'transform' ? def.out : def.in, value, path, found);
    case 'lazy':
      return walk(def.getter(), value, path, found);
    case 'array':
      if (Array.isArray(value)) value.forEach((item, i) => walk(def.element, item, [...path, i], found));
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      for (const [key, child] of Object.entries(value)) {
        const childSchema = Object.prototype.hasOwnProperty.call(def.shape, key) ? def.shape[key] : def.catchall;
        if (childSchema) walk(childSchema, child, [...path, key], found);
        else found.push(formatFieldPath([...path, key]));
      }
      return;
    }
    default:
      return;
  }
}
