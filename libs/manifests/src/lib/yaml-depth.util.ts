import { CST } from 'yaml';

interface Frame {
  token: CST.Token;
  depth: number;
  parent?: Frame;
  segment?: string | number;
}

export interface TooDeepAt {
  /** Path from the document root to the collection that crosses the limit. */
  path: (string | number)[];
  offset: number;
}

function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.segment !== undefined; f = f.parent) path.unshift(f.segment);
  return path;
}

function keyText(key: CST.Token | null | undefined): string {
  if (!key) return '';
  // Without an error callback resolveAsScalar throws on a broken scalar; the composer reports those later.
  return CST.resolveAsScalar(key, true, () => undefined)?.value ?? '?';
}

/**
 * Finds a collection nested deeper than `maxDepth` in a document's syntax tree,
 * without recursion: the yaml composer itself recurses and would overflow the stack
 * on hostile nesting, so this runs before it.
 */
export function findTooDeep(document: CST.Document, maxDepth: number): TooDeepAt | undefined {
  const stack: Frame[] = document.value ? [{ token: document.value, depth: 0 }] : [];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { token } = frame;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    const depth = frame.depth + 1;
    if (depth > maxDepth) return { path: pathOf(frame), offset: token.offset };
    const isSequence = token.type === 'block-seq' || (token.type === 'flow-collection' && token.start.source === '[');
    let index = 0;
    for (const item of token.items) {
      if (item.key) stack.push({ token: item.key, depth, parent: frame, segment: keyText(item.key) });
      if (!item.value) continue;
      const segment = isSequence ? index++ : keyText(item.key);
      stack.push({ token: item.value, depth, parent: frame, segment });
    }
  }
  return undefined;
}
