import { Status } from './status.schema';

/** A manifest that cannot be accepted; carries the Kubernetes Status body to answer with (400, 413 or 422). */
export class InvalidManifest extends Error {
  override readonly name = 'InvalidManifest';

  constructor(readonly status: Status) {
    super(status.message);
  }
}
