import { normalizeArgs } from './cli.program';

describe('normalizeArgs', () => {
  it('splits kubectl-style -o=yaml into -o yaml, leaving long options and values alone', () => {
    expect(normalizeArgs(['get', 'po', '-o=wide', '-n=prod', '--dry-run=server', '-l', 'a=b', 'x=y'])).toEqual([
      'get',
      'po',
      '-o',
      'wide',
      '-n',
      'prod',
      '--dry-run=server',
      '-l',
      'a=b',
      'x=y',
    ]);
  });
});
