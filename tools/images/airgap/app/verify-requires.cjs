'use strict';
// Image build check: every package required by code reachable from the given entry points must
// resolve in the production node_modules (a devDependency imported at run time fails the build here,
// not at start-up in a cluster). Usage: node verify-requires.cjs ENTRY.js...
const { builtinModules } = require('node:module');
const { readFileSync } = require('node:fs');
const { dirname, relative } = require('node:path');

const builtins = new Set(builtinModules);
const requireCall = /\brequire\((["'])([^"']+)\1\)/g;
const visited = new Set();
const missing = [];

function visit(file) {
  if (visited.has(file)) return;
  visited.add(file);
  for (const match of readFileSync(file, 'utf8').matchAll(requireCall)) {
    const specifier = match[2];
    if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
    let resolved;
    try {
      resolved = require.resolve(specifier, { paths: [dirname(file)] });
    } catch {
      missing.push(`${specifier} (required by ${relative(process.cwd(), file)})`);
      continue;
    }
    if (specifier.startsWith('.') && resolved.endsWith('.js')) visit(resolved);
  }
}

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: verify-requires.cjs ENTRY.js...');
  process.exit(2);
}
for (const entry of entries) visit(require.resolve(entry, { paths: [process.cwd()] }));
if (missing.length > 0) {
  console.error(`verify-requires: not installed for production (a runtime import of a devDependency?):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`verify-requires: ${visited.size} files from ${entries.length} entry points, every require resolves`);
