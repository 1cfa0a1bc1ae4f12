import Dockerode from 'dockerode';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { ContainerNetworkUnavailable, firstHostAddress, inspectContainerNetwork, networkGateway } from './container-network';
import { DockerRuntime } from './docker.runtime';

describe('network gateway', () => {
  it('takes the declared IPv4 gateway, else the first address of the subnet (the default bridge on Docker 20.10)', () => {
    expect(networkGateway({ Name: 'n', Id: 'i', Driver: 'bridge', IPAM: { Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] } })).toBe('172.18.0.1');
    expect(networkGateway({ Name: 'bridge', Id: 'i', Driver: 'bridge', IPAM: { Config: [{ Subnet: '172.17.0.0/16' }] } })).toBe('172.17.0.1');
    expect(networkGateway({ Name: 'v6', Id: 'i', Driver: 'bridge', IPAM: { Config: [{ Subnet: 'fd00::/64', Gateway: 'fd00::1' }, { Subnet: '10.9.8.0/24' }] } })).toBe('10.9.8.1');
    expect(networkGateway({ Name: 'none', Id: 'i', Driver: 'null', IPAM: { Config: [] } })).toBeUndefined();
    expect(networkGateway({ Name: 'x', Id: 'i', Driver: 'bridge', IPAM: null })).toBeUndefined();
  });

  it('computes the first host address of IPv4 subnets', () => {
    expect(firstHostAddress('192.168.16.0/20')).toBe('192.168.16.1');
    expect(firstHostAddress('10.1.2.77/24')).toBe('10.1.2.1');
    expect(firstHostAddress('10.0.0.0/31')).toBeUndefined();
    expect(firstHostAddress('fd00::/64')).toBeUndefined();
    expect(firstHostAddress('300.0.0.0/8')).toBeUndefined();
  });
});

describe('containers on a Docker network (real engine)', () => {
  const docker = new Dockerode();
  const run = `nettest-${randomUUID().slice(0, 8)}`;
  const networkName = `berth-${run}`;
  let server: Server;

  beforeAll(async () => {
    execFileSync('bash', [resolve(__dirname, '../../../../tools/images/build-images.sh'), '--quiet'], { stdio: 'inherit', timeout: 120_000 });
    await docker.createNetwork({ Name: networkName, Driver: 'bridge', Labels: { 'berth.test-run': run } });
  }, 130_000);

  afterAll(async () => {
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`berth.test-run=${run}`] } });
    await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    await docker.getNetwork(networkName).remove().catch(() => undefined);
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
  });

  it('finds the gateway of the default bridge and of a user network, and names a missing or non-bridge one', async () => {
    const bridge = await inspectContainerNetwork(docker, 'bridge');
    expect(bridge).toMatchObject({ name: 'bridge', driver: 'bridge' });
    expect(bridge.gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const own = await inspectContainerNetwork(docker, networkName);
    expect(own.gateway).not.toBe(bridge.gateway);
    await expect(inspectContainerNetwork(docker, `${networkName}-absent`)).rejects.toThrow(new ContainerNetworkUnavailable('', `Docker network "${networkName}-absent" does not exist (create it, e.g. docker network create ${networkName}-absent)`));
    await expect(inspectContainerNetwork(docker, 'host')).rejects.toThrow(/uses the host driver; replicas need a bridge network/);
  });

  it('runs containers on the network with their env, reaching a host listener at the gateway', async () => {
    const { gateway } = await inspectContainerNetwork(docker, networkName);
    server = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((done, fail) => server.once('error', fail).listen(0, gateway, done));
    const port = (server.address() as { port: number }).port;
    const runtime = new DockerRuntime({ docker, network: networkName });
    const started = await runtime.createAndStart({
      replicaUid: randomUUID(),
      name: 'client',
      namespace: 'default',
      deployment: 'client',
      node: `${run}-n1`,
      image: 'berth/busybox:test',
      command: ['sh', '-c', 'nc "$PROXY_HOST" "$PROXY_PORT" </dev/null; sleep 60'],
      env: { PROXY_HOST: gateway, PROXY_PORT: String(port) },
      hostIp: '127.0.0.1',
      labels: { 'berth.test-run': run },
    });
    const inspect = await docker.getContainer(started.containerId).inspect();
    expect(inspect.HostConfig.NetworkMode).toBe(networkName);
    expect(Object.keys(inspect.NetworkSettings.Networks)).toEqual([networkName]);
    expect(inspect.Config.Env).toEqual(expect.arrayContaining([`PROXY_HOST=${gateway}`, `PROXY_PORT=${port}`]));
    const deadline = Date.now() + 20_000;
    let output = '';
    while (!output.includes('hello from the host') && Date.now() < deadline) {
      const logs = await docker.getContainer(started.containerId).logs({ stdout: true, stderr: true });
      output = logs.toString('utf8');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toContain('hello from the host');
  }, 60_000);
});
