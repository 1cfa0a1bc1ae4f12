import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { parseManifests } from '@berth/manifests';
import { CliError } from '../commands/cli.errors';

/** One file (or stdin) given to -f, read whole. */
export interface ManifestSource {
  /** As the user wrote it (or the path found inside a folder); `-` for stdin. */
  name: string;
  text: string;
  contentType: 'application/json' | 'application/yaml';
}

export interface ParsedSource {
  source: ManifestSource;
  objects: Record<string, unknown>[];
  /** Early errors found locally (syntax, limits), already naming document and line. */
  errors: string[];
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** JSON for .json files and for stdin that starts like JSON; YAML otherwise. */
export function contentTypeFor(name: string, text: string): ManifestSource['contentType'] {
  if (extname(name).toLowerCase() === '.json') return 'application/json';
  if (name === '-' && /^\s*[{[]/.test(text)) return 'application/json';
  return 'application/yaml';
}

/** Every *.yaml, *.yml and *.json under a folder, recursively, in a stable (sorted) order. */
export async function manifestFilesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await manifestFilesUnder(path)));
    else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}

/**
 * Reads the -f arguments: files as given (any extension), folders recursively, `-` as stdin
 * (once). Paths are relative to `cwd`; messages keep the user's spelling.
 */
export async function readManifestSources(paths: readonly string[], cwd: string, readStdin: () => Promise<string>): Promise<ManifestSource[]> {
  const sources: ManifestSource[] = [];
  let stdinRead = false;
  for (const path of paths) {
    if (path === '-') {
      if (stdinRead) throw new CliError('stdin (-) can only be given once');
      stdinRead = true;
      const text = await readStdin();
      sources.push({ name: '-', text, contentType: contentTypeFor('-', text) });
      continue;
    }
    const absolute = resolve(cwd, path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new CliError(`the path "${path}" does not exist`);
    const files = info.isDirectory() ? (await manifestFilesUnder(absolute)).map((file) => join(path, file.slice(absolute.length + 1))) : [path];
    for (const file of files) {
      const text = await readFile(resolve(cwd, file), 'utf8');
      sources.push({ name: file, text, contentType: contentTypeFor(file, text) });
    }
  }
  return sources;
}

/** Local parse for early errors; the server still validates every object. */
export function parseSource(source: ManifestSource): ParsedSource {
  const parsed = parseManifests(source.text);
  const objects = parsed.documents.flatMap((doc) => (doc.ok ? [doc.object] : []));
  return { source, objects, errors: parsed.errors.map((e) => e.message) };
}
