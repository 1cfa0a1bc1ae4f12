import type { NodeService } from '@berth/contracts';
import { serviceEnvName, serviceLinkEnv } from './service-links';

const svc = (namespace: string, name: string, ports: Partial<NodeService['ports'][number]>[]): NodeService => ({
  namespace,
  name,
  type: 'ClusterIP',
  balancing: 'round-robin',
  ports: ports.map((p) => ({ protocol: 'TCP', port: 80, targetPort: 80, endpoints: [], ...p })),
});

describe('service environment variables', () => {
  it('upper-cases names and turns dashes into underscores', () => {
    expect(serviceEnvName('my-web-2')).toBe('MY_WEB_2');
  });

  it('gives Kubernetes service variables and docker-link forms pointing at the proxy, for services of the namespace only', () => {
    const services = [
      svc('default', 'redis-primary', [{ port: 6379, targetPort: 6379, clusterPort: 10001 }]),
      svc('default', 'web', [
        { name: 'http', port: 80, clusterPort: 10002 },
        { name: 'metrics-port', port: 9090, clusterPort: 10003 },
        { name: 'dns', protocol: 'UDP', port: 53, clusterPort: 10004 },
      ]),
      svc('other', 'elsewhere', [{ port: 80, clusterPort: 10005 }]),
      // Recorded before cluster ports: nothing to point at.
      svc('default', 'legacy', [{ port: 80 }]),
    ];
    expect(serviceLinkEnv(services, 'default', '172.17.0.1')).toEqual({
      REDIS_PRIMARY_SERVICE_HOST: '172.17.0.1',
      REDIS_PRIMARY_SERVICE_PORT: '10001',
      REDIS_PRIMARY_PORT: 'tcp://172.17.0.1:10001',
      REDIS_PRIMARY_PORT_6379_TCP: 'tcp://172.17.0.1:10001',
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
      REDIS_PRIMARY_PORT_6379_TCP_PORT: '10001',
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: '172.17.0.1',
      WEB_SERVICE_HOST: '172.17.0.1',
      WEB_SERVICE_PORT: '10002',
      WEB_SERVICE_PORT_HTTP: '10002',
      WEB_SERVICE_PORT_METRICS_PORT: '10003',
      WEB_PORT: 'tcp://172.17.0.1:10002',
      WEB_PORT_80_TCP: 'tcp://172.17.0.1:10002',
      WEB_PORT_80_TCP_PROTO: 'tcp',
      WEB_PORT_80_TCP_PORT: '10002',
      WEB_PORT_80_TCP_ADDR: '172.17.0.1',
      WEB_PORT_9090_TCP: 'tcp://172.17.0.1:10003',
      WEB_PORT_9090_TCP_PROTO: 'tcp',
      WEB_PORT_9090_TCP_PORT: '10003',
      WEB_PORT_9090_TCP_ADDR: '172.17.0.1',
    });
    expect(serviceLinkEnv(services, 'other', '127.0.0.5')).toMatchObject({ ELSEWHERE_SERVICE_HOST: '127.0.0.5', ELSEWHERE_SERVICE_PORT: '10005' });
    expect(serviceLinkEnv(services, 'empty', '172.17.0.1')).toEqual({});
  });
});
