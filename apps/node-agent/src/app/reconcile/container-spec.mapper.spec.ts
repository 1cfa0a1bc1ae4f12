import { desiredReplicaSchema } from '@berth/contracts';
import { CreateContainerConfigError, ErrImageNeverPull, RuntimeUnavailable } from '@berth/docker-runtime';
import { toContainerSpec, namedPorts } from './container-spec.mapper';
import { classifyCreateFailure } from './create-failure';

const replica = (ports: unknown[] = [{ name: 'http', containerPort: 80 }]) =>
  desiredReplicaSchema.parse({
    uid: 'u1',
    name: 'web-abc-x1',
    namespace: 'default',
    deployment: 'web',
    templateHash: 'abc',
    terminationGracePeriodSeconds: 7,
    containers: [{ name: 'web', image: 'nginx:latest', imagePullPolicy: 'IfNotPresent', command: ['httpd'], env: { A: '1' }, ports, limits: { cpuMilli: 250, memoryBytes: 64 * 1024 * 1024 } }],
  });
const placement = { node: 'n1', hostIp: '127.0.0.2', hostPortRange: { from: 20000, to: 32000 } };

describe('toContainerSpec', () => {
  it('carries image, command, env, limits, ports, the attempt and the grace period label', () => {
    expect(toContainerSpec(replica(), 3, placement)).toMatchObject({
      replicaUid: 'u1',
      name: 'web-abc-x1',
      node: 'n1',
      attempt: 3,
      image: 'nginx:latest',
      command: ['httpd'],
      env: { A: '1' },
      cpuMilli: 250,
      memoryBytes: 64 * 1024 * 1024,
      hostIp: '127.0.0.2',
      ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
      hostPortRange: { from: 20000, to: 32000 },
      labels: { 'berth.grace-period': '7', 'berth.template-hash': 'abc' },
    });
    expect(namedPorts(replica())).toEqual({ http: 80 });
  });

  it('pins a hostPort through a one-port range, and refuses it beside other ports', () => {
    expect(toContainerSpec(replica([{ containerPort: 80, hostPort: 8080 }]), 0, placement).hostPortRange).toEqual({ from: 8080, to: 8080 });
    expect(() => toContainerSpec(replica([{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }]), 0, placement)).toThrow(CreateContainerConfigError);
  });

  it('puts the services variables first, so the container env wins (as in Kubernetes)', () => {
    const spec = toContainerSpec(replica(), 0, placement, { WEB_SERVICE_HOST: '172.17.0.1', A: 'from-service' });
    expect(spec.env).toEqual({ WEB_SERVICE_HOST: '172.17.0.1', A: '1' });
  });
});

describe('classifyCreateFailure', () => {
  it('keeps the runtime reason, and tells an engine outage and a name conflict apart', () => {
    expect(classifyCreateFailure(new ErrImageNeverPull('x:1'))).toMatchObject({ reason: 'ErrImageNeverPull', runtimeDown: false, nameConflict: false });
    expect(classifyCreateFailure(new RuntimeUnavailable('down'))).toMatchObject({ reason: 'RuntimeUnavailable', runtimeDown: true });
    expect(classifyCreateFailure(new Error('Conflict. The container name "/x" is already in use'))).toMatchObject({ reason: 'CreateContainerError', nameConflict: true });
  });
});
