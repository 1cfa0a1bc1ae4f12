import { toContainerInfo, type EngineContainerInspect } from './container-info';
import { classifyExit } from './container-exit';

function inspect(state: Partial<EngineContainerInspect['State']>, extra: Partial<EngineContainerInspect> = {}): EngineContainerInspect {
  return {
    Id: 'abc123',
    Name: '/berth-n1-r1',
    Created: '2026-01-01T00:00:00.5Z',
    Config: { Image: 'berth/http:test', Labels: { 'berth.replica': 'r1', 'berth.node': 'n1', 'berth.deployment': 'web', 'berth.namespace': 'default', 'berth.replica-name': 'web-abc' } },
    State: { Status: 'running', ExitCode: 0, OOMKilled: false, StartedAt: '2026-01-01T00:00:01Z', FinishedAt: '0001-01-01T00:00:00Z', ...state },
    HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.2', HostPort: '20001' }], '53/udp': [{ HostIp: '127.0.0.2', HostPort: '20002' }] } },
    NetworkSettings: { Ports: {} },
    ...extra,
  };
}

describe('classifyExit', () => {
  it('follows Kubernetes reasons', () => {
    expect(classifyExit({ exitCode: 0, oomKilled: false }).reason).toBe('Completed');
    expect(classifyExit({ exitCode: 3, oomKilled: false })).toEqual({ reason: 'Error', exitCode: 3, oomKilled: false });
    expect(classifyExit({ exitCode: 137, oomKilled: true }).reason).toBe('OOMKilled');
    expect(classifyExit({ exitCode: 127, oomKilled: false, error: 'exec: "nope": not found' })).toMatchObject({ reason: 'ContainerCannotRun', message: 'exec: "nope": not found' });
  });
});

describe('toContainerInfo', () => {
  it('maps a running container: labels, ports from the bindings, no exit', () => {
    const info = toContainerInfo(inspect({}));
    expect(info).toMatchObject({
      containerId: 'abc123',
      name: 'berth-n1-r1',
      replicaUid: 'r1',
      replicaName: 'web-abc',
      node: 'n1',
      deployment: 'web',
      namespace: 'default',
      status: 'running',
      oomKilled: false,
      hostPorts: { 80: 20001, 53: 20002 },
    });
    expect(info.exit).toBeUndefined();
    expect(info.startedAt?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(info.finishedAt).toBeUndefined();
    expect(info.ports).toContainEqual({ containerPort: 53, protocol: 'UDP', hostIp: '127.0.0.2', hostPort: 20002 });
  });

  it('classifies an exited, OOM-killed container', () => {
    const info = toContainerInfo(inspect({ Status: 'exited', ExitCode: 137, OOMKilled: true, FinishedAt: '2026-01-01T00:00:02Z' }));
    expect(info.exit).toEqual({ reason: 'OOMKilled', exitCode: 137, oomKilled: true });
    expect(info.exitCode).toBe(137);
  });

  it('gives a container that never started an exit with the engine error', () => {
    const info = toContainerInfo(inspect({ Status: 'created', ExitCode: 127, Error: 'executable file not found' }));
    expect(info.exit?.reason).toBe('ContainerCannotRun');
  });
});
