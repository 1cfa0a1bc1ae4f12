// npm start — runs the five Berth services from source against the Postgres, NATS and Docker
// engine given by the environment (defaults: the local ones). Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const services = [
  ['api-gateway', 8080],
  ['scheduler', 8081],
  ['autoscaler', 8082],
  ['monitor', 8083],
  ['node-agent', 8084],
];

const children = services.map(([name, port]) => {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'apps', name, 'src/main.ts')], {
    cwd: root,
    env: { SWC_NODE_PROJECT: join(root, 'tsconfig.base.json'), PORT: String(port), ...process.env, ...portOverride(name) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    console.error(JSON.stringify({ level: 'warn', msg: 'service exited', service: name, code, signal }));
    if (!stopping) shutdown(1);
  });
  return child;
});

// A single PORT in the environment would give every service the same port: per-service vars win.
function portOverride(name) {
  const key = `${name.toUpperCase().replace('-', '_')}_PORT`;
  return process.env[key] ? { PORT: process.env[key] } : { PORT: String(services.find(([n]) => n === name)[1]) };
}

let stopping = false;
function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 10_000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(code));
}

process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
