/** One invalid field, named by its path like the API server does ("spec.maxReplicas"). */
export interface FieldError {
  field: string;
  message: string;
}

function describe(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

/** The HorizontalPodAutoscaler spec would be rejected by Kubernetes validation. */
export class InvalidHpaSpec extends Error {
  override readonly name = 'InvalidHpaSpec';
  constructor(readonly errors: FieldError[]) {
    super(`invalid HorizontalPodAutoscaler spec: ${describe(errors)}`);
  }
}

/** The observed state passed in (replica counts, pod samples, times) is not usable. */
export class InvalidHpaInput extends Error {
  override readonly name = 'InvalidHpaInput';
  constructor(readonly errors: FieldError[]) {
    super(`invalid autoscaler input: ${describe(errors)}`);
  }
}

/** A string that is not a Kubernetes resource quantity. */
export class InvalidQuantity extends Error {
  override readonly name = 'InvalidQuantity';
  constructor(readonly input: string) {
    super(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(input)}`);
  }
}
