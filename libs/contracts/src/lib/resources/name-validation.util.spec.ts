import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPercent,
  isValidPortName,
  maskTrailingDash,
} from './name-validation.util';

// Copied from Kubernetes API server responses, to pin the wording.
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('name validation (apimachinery wording)', () => {
  it('accepts valid names', () => {
    expect(isDNS1123Label('nginx-1')).toEqual([]);
    expect(isDNS1123Subdomain('nginx.example.com')).toEqual([]);
    expect(isDNS1035Label('web-1')).toEqual([]);
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidPortName('http')).toEqual([]);
    expect(isEnvVarName('MY_VAR.1')).toEqual([]);
    expect(isValidPercent('25%')).toEqual([]);
  });

  it('explains DNS-1123 labels and subdomains', () => {
    expect(isDNS1123Label('Nginx')).toEqual([DNS1123_LABEL_MSG]);
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isDNS1123Subdomain('-web')).toEqual([DNS1123_SUBDOMAIN_MSG]);
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });

  it('explains DNS-1035 labels (Service names must start with a letter)', () => {
    expect(isDNS1035Label('1web')).toHaveLength(1);
    expect(isDNS1035Label('1web')[0]).toMatch(/^a DNS-1035 label must consist of/);
  });

  it('explains qualified names', () => {
    expect(isQualifiedName('bad key')).toEqual([QUALIFIED_NAME_PART_MSG]);
    expect(isQualifiedName('/name')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('Example.com/name')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isQualifiedName('')).toEqual(['name part must be non-empty', QUALIFIED_NAME_PART_MSG]);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of/);
    expect(isQualifiedName('a'.repeat(64))).toEqual(['name part must be no more than 63 characters']);
  });

  it('explains port names (IANA_SVC_NAME)', () => {
    expect(isValidPortName('80')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('http--x')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('-http')).toEqual(['must not begin or end with a hyphen']);
    expect(isValidPortName('a-very-long-port-name')).toEqual(['must be no more than 15 characters']);
    expect(isValidPortName('HTTP')).toEqual([
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ]);
  });

  it('masks the trailing dash of generateName prefixes', () => {
    expect(maskTrailingDash('web-')).toBe('weba');
    expect(maskTrailingDash('-')).toBe('-');
  });
});
