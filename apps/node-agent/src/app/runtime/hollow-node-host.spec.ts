import { kubernetesArch } from './node-host';
import { nthAddress } from './hollow-node-host';

describe('hollow node addresses', () => {
  it('counts up from the advertise address across octets', () => {
    expect(nthAddress('127.0.0.1', 0)).toBe('127.0.0.1');
    expect(nthAddress('127.0.0.1', 2)).toBe('127.0.0.3');
    expect(nthAddress('127.0.0.250', 10)).toBe('127.0.1.4');
    expect(() => nthAddress('255.255.255.255', 1)).toThrow(RangeError);
  });

  it('uses Kubernetes architecture names', () => {
    expect(kubernetesArch('x86_64')).toBe('amd64');
    expect(kubernetesArch('aarch64')).toBe('arm64');
    expect(kubernetesArch('riscv64')).toBe('riscv64');
  });
});
