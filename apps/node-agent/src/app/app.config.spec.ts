import { ConfigError } from '@berth/config';
import { configSource, loadNodeAgentConfig } from './app.config';

describe('node-agent configuration', () => {
  it('has defaults for everything but reads every variable', () => {
    const config = loadNodeAgentConfig({ NODE_NAME: 'n1' });
    expect(config).toMatchObject({
      NODE_NAME: 'n1',
      ADVERTISE_ADDRESS: '127.0.0.1',
      RUNTIME: 'docker',
      HEARTBEAT_INTERVAL_MS: 1_000,
      NODE_LABELS: {},
      NODE_TAINTS: [],
      RESERVED_CPU_MILLI: 0,
      RESERVED_MEMORY_BYTES: 0,
      STATS_INTERVAL_MS: 5_000,
      RECONCILE_CONCURRENCY: 16,
      RESTART_BACKOFF_INITIAL_MS: 100,
      RESTART_BACKOFF_MAX_MS: 10_000,
      HOST_PORT_RANGE: { from: 20000, to: 29_999 },
      HOLLOW_NODES: 1,
      CONTAINER_NETWORK: 'bridge',
      SERVICE_ENV_WAIT_MS: 2_000,
      SANDBOX_POOL_SIZE: 0,
      SANDBOX_IMAGE: 'berth/pause:test',
      SANDBOX_POOL_CONCURRENCY: 2,
    });
  });

  it('parses labels, taints, quantities and port ranges', () => {
    const config = loadNodeAgentConfig({
      NODE_NAME: 'n1',
      NODE_LABELS: 'zone=a,disk=ssd',
      NODE_TAINTS: 'gpu=true:NoSchedule',
      RESERVED_MEMORY_BYTES: '512Mi',
      RESERVED_CPU_MILLI: '250',
      HOST_PORT_RANGE: '30000-30010',
    });
    expect(config.NODE_LABELS).toEqual({ zone: 'a', disk: 'ssd' });
    expect(config.NODE_TAINTS).toEqual([{ key: 'gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(config.RESERVED_MEMORY_BYTES).toBe(512 * 1024 * 1024);
    expect(config.RESERVED_CPU_MILLI).toBe(250);
    expect(config.HOST_PORT_RANGE).toEqual({ from: 30000, to: 30010 });
  });

  it.each([
    [{ NODE_LABELS: 'zone' }, 'NODE_LABELS'],
    [{ NODE_TAINTS: 'a=b:Never' }, 'NODE_TAINTS'],
    [{ RESERVED_MEMORY_BYTES: 'lots' }, 'RESERVED_MEMORY_BYTES'],
    [{ HOST_PORT_RANGE: '9-3' }, 'HOST_PORT_RANGE'],
    [{ RECONCILE_CONCURRENCY: '0' }, 'RECONCILE_CONCURRENCY'],
    [{ RESTART_BACKOFF_INITIAL_MS: '500', RESTART_BACKOFF_MAX_MS: '100' }, 'RESTART_BACKOFF_MAX_MS'],
    [{ HOLLOW_NODES: '5' }, 'HOLLOW_NODES'],
    [{ RUNTIME: 'hollow', HOLLOW_NODES: '0' }, 'HOLLOW_NODES'],
    [{ RUNTIME: 'hollow', HOLLOW_NODES: '10', NODE_NAME: 'n'.repeat(62) }, 'NODE_NAME'],
    [{ CONTAINER_NETWORK: 'host' }, 'CONTAINER_NETWORK'],
    [{ CONTAINER_NETWORK: 'container:abc' }, 'CONTAINER_NETWORK'],
    [{ SANDBOX_POOL_SIZE: '-1' }, 'SANDBOX_POOL_SIZE'],
    [{ SANDBOX_POOL_SIZE: 'many' }, 'SANDBOX_POOL_SIZE'],
    [{ SANDBOX_POOL_CONCURRENCY: '0' }, 'SANDBOX_POOL_CONCURRENCY'],
  ])('names the bad variable in %j', (bad, variable) => {
    const attempt = () => loadNodeAgentConfig({ NODE_NAME: 'n1', ...bad });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`${variable}: `));
  });

  it('takes --hollow-nodes from the command line, which implies the hollow runtime', () => {
    expect(configSource(['node', 'main.js', '--hollow-nodes', '25'], {})).toEqual({ HOLLOW_NODES: '25', RUNTIME: 'hollow' });
    expect(configSource(['--hollow-nodes=3'], { RUNTIME: 'hollow', HOLLOW_NODES: '1' })).toEqual({ HOLLOW_NODES: '3', RUNTIME: 'hollow' });
    expect(loadNodeAgentConfig(configSource(['--hollow-nodes', '4'], { NODE_NAME: 'h' }))).toMatchObject({ RUNTIME: 'hollow', HOLLOW_NODES: 4 });
  });
});
