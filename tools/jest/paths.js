// Maps the tsconfig.base.json path aliases (@berth/*) to their source barrels for jest.
const path = require('path');
const fs = require('fs');

function pathsToModuleNameMapper() {
  const root = path.resolve(__dirname, '../..');
  const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
  const mapper = {};
  for (const [alias, [target]] of Object.entries(base.compilerOptions.paths)) {
    mapper[`^${alias.replace('/', '\\/')}$`] = path.join(root, target);
  }
  return mapper;
}

module.exports = { pathsToModuleNameMapper };
