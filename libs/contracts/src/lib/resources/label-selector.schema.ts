import { z } from 'zod';
import { isQualifiedName, isValidLabelValue } from './name-validation.util';
import { asArray, asRecord, asString, checkedString, crossRules, FieldReporter, labelsMap } from './schema-kit.util';

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** Values are required for In/NotIn and forbidden for Exists/DoesNotExist (shared with node selectors). */
export function checkRequirementValues(r: FieldReporter, operator: unknown, values: unknown): void {
  const count = asArray(values).length;
  if ((operator === 'In' || operator === 'NotIn') && count === 0) {
    r.required(['values'], "must be specified when `operator` is 'In' or 'NotIn'");
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && count > 0) {
    r.forbidden(['values'], "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  }
}

export const labelSelectorRequirementSchema = crossRules(
  z.object({
    key: checkedString(isQualifiedName),
    operator: z.enum(LABEL_SELECTOR_OPERATORS),
    values: z.array(z.string()).optional(),
  }),
  (requirement, r) => {
    const req = asRecord(requirement);
    if (!req) return;
    checkRequirementValues(r, req.operator, req.values);
    asArray(req.values).forEach((value, i) => {
      const text = asString(value);
      if (text !== undefined) for (const msg of isValidLabelValue(text)) r.invalid(['values', i], text, msg);
    });
  },
);
export type LabelSelectorRequirement = z.output<typeof labelSelectorRequirementSchema>;

export const labelSelectorSchema = z.object({
  matchLabels: labelsMap().optional(),
  matchExpressions: z.array(labelSelectorRequirementSchema).optional(),
});
export type LabelSelector = z.output<typeof labelSelectorSchema>;

/** True when `labels` satisfy every term of the selector; an empty selector matches everything. */
export function matchesLabelSelector(selector: LabelSelector, labels: Readonly<Record<string, string>> = {}): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** True when a map of labels satisfies an equality-only selector (Service.spec.selector). */
export function matchesLabels(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> = {}): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
