import type { ContainerExit } from './container-runtime';

export interface TerminatedState {
  exitCode: number;
  oomKilled: boolean;
  /** The engine's error when the process could not be started at all. */
  error?: string;
}

/** Kubernetes' terminated reasons: OOMKilled wins over the exit code (137) it causes. */
export function classifyExit(state: TerminatedState): ContainerExit {
  const { exitCode, oomKilled } = state;
  if (oomKilled) return { reason: 'OOMKilled', exitCode, oomKilled };
  if (state.error) return { reason: 'ContainerCannotRun', exitCode, oomKilled, message: state.error };
  return { reason: exitCode === 0 ? 'Completed' : 'Error', exitCode, oomKilled };
}
