// node tools/bench/cpu-profile-top.js FILE.cpuprofile [N]: the N functions with the most self time.
const { readFileSync } = require('node:fs');
const [file, n = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) || 0) + 1);
const total = profile.samples.length;
for (const [id, count] of counts) {
  const { callFrame } = byId.get(id);
  const key = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.replace(/^.*\/(node_modules|work\/main)\//, '')}:${callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) || 0) + count);
}
console.log(`${file}: ${total} samples`);
for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
  console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
