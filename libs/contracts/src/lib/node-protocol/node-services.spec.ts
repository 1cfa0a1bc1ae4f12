import { Subjects } from '../subjects';
import { nodeServicesSchema, parseMessage } from './node-protocol';

describe('node services payload', () => {
  const valid = {
    node: 'n1',
    position: 7,
    services: [
      {
        namespace: 'default',
        name: 'web',
        type: 'LoadBalancer',
        balancing: 'round-robin',
        ports: [{ protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30000, clusterPort: 10000, endpoints: [{ id: 'r1', node: 'n1', address: '127.0.0.2', port: 20001, ready: true, draining: false }] }],
      },
    ],
  };

  it('lives under the node subjects the agent may use', () => {
    expect(Subjects.nodeServices('n1')).toBe('berth.node.n1.services');
    expect(Subjects.nodeServicesUpdate('n1').startsWith('berth.node.n1.')).toBe(true);
  });

  it('parses a valid set and names bad fields', () => {
    expect(parseMessage(nodeServicesSchema, 's', JSON.stringify(valid))).toEqual(valid);
    const bad = { ...valid, services: [{ ...valid.services[0], ports: [{ ...valid.services[0].ports[0], endpoints: [{ id: 'r1', port: 0 }] }] }] };
    expect(() => parseMessage(nodeServicesSchema, 's', JSON.stringify(bad))).toThrow(/services\.0\.ports\.0\.endpoints\.0\.(node|address|port)/);
  });
});
