export * from './lib/container-runtime';
export * from './lib/runtime.errors';
export { DockerRuntime, type DockerRuntimeOptions } from './lib/docker.runtime';
export { parseImageReference, defaultPullPolicy, type ImageReference } from './lib/image-reference';
export { HostPortAllocator, PortTable, DEFAULT_HOST_PORT_RANGE, type HostPortAllocatorOptions } from './lib/host-port-allocator';
export { classifyExit, type TerminatedState } from './lib/container-exit';
export { computeStats, type EngineStatsSample } from './lib/docker-stats';
export { BERTH_LABELS, berthLabels, engineContainerName, labelFilters } from './lib/labels';
export { demuxLines, FrameDecoder, LineAssembler } from './lib/docker-stream';
