import { z } from 'zod';
import { FieldError, formatFieldPath } from './field-error.model';
import { FieldErrorParams } from './schema-kit.util';

const EXPECTED_TEXT: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'a list',
};

/** "must be an integer": the schema's own wording when it has one (see `integer()`), else from the expected type. */
function typeDetail(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('must be ')) return issue.message;
  const expected = issue.code === 'invalid_type' ? issue.expected : '';
  return `must be ${EXPECTED_TEXT[expected] ?? expected}`;
}

/** Turns a zod issue into the Kubernetes field error it stands for. */
export function fieldErrorFromIssue(issue: z.core.$ZodIssue): FieldError {
  const field = formatFieldPath(issue.path);
  switch (issue.code) {
    case 'custom': {
      const params = issue.params?.['fieldError'] as FieldErrorParams | undefined;
      return params ? { field, ...params } : { type: 'Invalid', field, value: issue.input, detail: issue.message };
    }
    case 'invalid_type':
      return issue.input === undefined ? { type: 'Required', field } : { type: 'Invalid', field, value: issue.input, detail: typeDetail(issue) };
    case 'invalid_value':
      return issue.input === undefined
        ? { type: 'Required', field }
        : { type: 'NotSupported', field, value: issue.input, supported: issue.values.map(String) };
    case 'invalid_union': {
      if (issue.input === undefined) return { type: 'Required', field };
      const alternatives = issue.errors.flatMap((branch) => branch.filter((i) => i.code === 'invalid_type' && i.path.length === 0));
      const names = [...new Set(alternatives.map((i) => typeDetail(i).replace(/^must be /, '')))];
      return { type: 'Invalid', field, value: issue.input, detail: names.length > 0 ? `must be ${names.join(' or ')}` : issue.message };
    }
    case 'too_small':
      return { type: 'Invalid', field, value: issue.input, detail: `must be greater than${issue.inclusive ? ' or equal to' : ''} ${String(issue.minimum)}` };
    case 'too_big':
      return { type: 'Invalid', field, value: issue.input, detail: `must be less than${issue.inclusive ? ' or equal to' : ''} ${String(issue.maximum)}` };
    default:
      return { type: 'Invalid', field, value: issue.input, detail: issue.message };
  }
}
