import { createHash } from 'node:crypto';
import { DeploymentState } from '@berth/cluster-state';

/**
 * The uid of the n-th replica a deployment incarnation creates. Derived, not random: two controllers
 * acting on the same state pick the same uids, so the log's 'no_stream' check lets only one create them.
 */
export function replicaUid(deployment: Pick<DeploymentState, 'key' | 'incarnation'>, ordinal: number): string {
  const hex = createHash('sha256').update(`${deployment.key}\u0000${deployment.incarnation}\u0000${ordinal}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
