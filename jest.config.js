// One jest run over every project, so `npm test` prints a single summary line.
const fs = require('fs');
const path = require('path');

const roots = ['apps', 'libs', 'tools'];
const projects = roots.flatMap((dir) =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .map((name) => path.join(__dirname, dir, name))
        .filter((p) => fs.existsSync(path.join(p, 'jest.config.cts')))
    : [],
);

module.exports = { projects, maxWorkers: 2, testTimeout: 60000 };
