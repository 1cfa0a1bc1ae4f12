import { Status, StatusDetails } from '@berth/contracts';

/** A `status: Success` Status body (deletes, drain), as Kubernetes answers them. */
export function successStatus(message: string, details?: StatusDetails, code = 200): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message, ...(details ? { details } : {}), code };
}
