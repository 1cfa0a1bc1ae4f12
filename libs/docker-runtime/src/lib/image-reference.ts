import type { PullPolicy } from './container-runtime';
import { InvalidImageName } from './runtime.errors';

// The grammar of github.com/distribution/reference (what the engine and kubelet accept).
const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referencePattern = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
const NAME_TOTAL_LENGTH_MAX = 255;

export interface ImageReference {
  name: string;
  tag?: string;
  digest?: string;
  /** name:tag (tag defaulted to latest) or name@digest: what the engine is asked for. */
  normalized: string;
}

/** Throws InvalidImageName, as kubelet does, for anything the engine could not parse. */
export function parseImageReference(image: string): ImageReference {
  const match = referencePattern.exec(image);
  if (!match || match[1].length > NAME_TOTAL_LENGTH_MAX) throw new InvalidImageName(image);
  const [, repo, tagPart, digestPart] = match;
  const normalized = digestPart
    ? `${repo}${tagPart ? `:${tagPart}` : ''}@${digestPart}`
    : `${repo}:${tagPart ?? 'latest'}`;
  return { name: repo, tag: tagPart, digest: digestPart, normalized };
}

/** Kubernetes defaulting: Always for :latest or no tag, IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): PullPolicy {
  const ref = parseImageReference(image);
  if (ref.digest) return 'IfNotPresent';
  return ref.tag === undefined || ref.tag === 'latest' ? 'Always' : 'IfNotPresent';
}
