// npm run build — compiles apps and libs with swc into dist/ (same layout as the sources; the
// @berth/* aliases become relative requires). Run a service with `node dist/apps/<name>/src/main.js`.
// The aliases come from tsconfig.base.json, so .swcrc's copy is refreshed here first.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const base = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const swcrcPath = join(root, '.swcrc');
const swcrc = JSON.parse(readFileSync(swcrcPath, 'utf8'));
swcrc.jsc.paths = base.compilerOptions.paths;
writeFileSync(swcrcPath, `${JSON.stringify(swcrc, null, 2)}\n`);

rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(
  join(root, 'node_modules/.bin/swc'),
  ['apps', 'libs', '-d', 'dist', '--config-file', '.swcrc', '--ignore', '**/*.spec.ts', '--ignore', '**/*.fixture.ts', '--ignore', '**/*.d.ts', '--ignore', 'libs/testing/**'],
  { cwd: root, stdio: 'inherit' },
);
