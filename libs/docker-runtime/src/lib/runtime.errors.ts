/** Kubernetes waiting-state reasons where one exists, so the agent can report them verbatim. */
export type RuntimeErrorReason =
  | 'ErrImagePull'
  | 'ErrImageNeverPull'
  | 'InvalidImageName'
  | 'CreateContainerError'
  | 'CreateContainerConfigError'
  | 'RunContainerError'
  | 'HostPortsUnavailable'
  | 'ContainerNotFound'
  | 'ContainerNotRunning'
  | 'RuntimeUnavailable';

export abstract class ContainerRuntimeError extends Error {
  abstract readonly reason: RuntimeErrorReason;

  /** engineMessage: the container engine's own words, kept apart for events and debugging. */
  constructor(
    message: string,
    readonly engineMessage?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ErrImagePull extends ContainerRuntimeError {
  readonly reason = 'ErrImagePull';
  constructor(
    readonly image: string,
    engineMessage: string,
  ) {
    super(`Failed to pull image "${image}": ${engineMessage}`, engineMessage);
  }
}

export class ErrImageNeverPull extends ContainerRuntimeError {
  readonly reason = 'ErrImageNeverPull';
  constructor(readonly image: string) {
    super(`Container image "${image}" is not present with pull policy of Never`);
  }
}

export class InvalidImageName extends ContainerRuntimeError {
  readonly reason = 'InvalidImageName';
  constructor(readonly image: string) {
    super(`Failed to apply default image tag "${image}": couldn't parse image reference "${image}": invalid reference format`);
  }
}

export class CreateContainerError extends ContainerRuntimeError {
  readonly reason = 'CreateContainerError';
}

export class CreateContainerConfigError extends ContainerRuntimeError {
  readonly reason = 'CreateContainerConfigError';
}

export class RunContainerError extends ContainerRuntimeError {
  readonly reason = 'RunContainerError';
}

export class HostPortsUnavailable extends ContainerRuntimeError {
  readonly reason = 'HostPortsUnavailable';
}

export class ContainerNotFound extends ContainerRuntimeError {
  readonly reason = 'ContainerNotFound';
  constructor(
    readonly containerId: string,
    engineMessage?: string,
  ) {
    super(`No such container: ${containerId}`, engineMessage);
  }
}

export class ContainerNotRunning extends ContainerRuntimeError {
  readonly reason = 'ContainerNotRunning';
  constructor(
    readonly containerId: string,
    engineMessage?: string,
  ) {
    super(`Container ${containerId} is not running`, engineMessage);
  }
}

export class RuntimeUnavailable extends ContainerRuntimeError {
  readonly reason = 'RuntimeUnavailable';
}
