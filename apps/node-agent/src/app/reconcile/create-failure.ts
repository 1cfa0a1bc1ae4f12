import { ContainerRuntimeError } from '@berth/docker-runtime';

export interface CreateFailure {
  /** Kubernetes waiting reason: ErrImagePull, ErrImageNeverPull, InvalidImageName, CreateContainerError, ... */
  reason: string;
  message: string;
  /** The node's engine is down: not the replica's fault, so no failed report. */
  runtimeDown: boolean;
  /** The container already exists under that name: our picture is stale, relist instead. */
  nameConflict: boolean;
}

const NAME_CONFLICT = /is already in use/i;

export function classifyCreateFailure(error: unknown): CreateFailure {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 4_000);
  const reason = error instanceof ContainerRuntimeError ? error.reason : 'CreateContainerError';
  return { reason, message, runtimeDown: reason === 'RuntimeUnavailable', nameConflict: NAME_CONFLICT.test(message) };
}
