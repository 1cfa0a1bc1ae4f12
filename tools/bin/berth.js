#!/usr/bin/env node
// The `berth` command (package.json "bin"): runs the CLI from dist/ when it has been built
// (`npm run build`), else from source through @swc-node/register. Works from any directory.
// BERTH_CLI_FROM_SOURCE=1 skips dist/ (a stale build would otherwise win).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const built = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');

if (fs.existsSync(built) && process.env.BERTH_CLI_FROM_SOURCE !== '1') {
  require(built);
} else {
  process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.base.json');
  require(require.resolve('@swc-node/register', { paths: [root] }));
  require(path.join(root, 'apps', 'cli', 'src', 'main.ts'));
}
