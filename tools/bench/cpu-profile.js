// Preloaded with `node --require` (NODE_OPTIONS allows it, unlike --cpu-prof): records a V8 CPU
// profile of the whole process and writes it to $BERTH_CPU_PROFILE_DIR/<name>-<pid>.cpuprofile at
// exit. Open it in Chrome DevTools or summarize it with tools/bench/cpu-profile-top.js.
const { Session } = require('node:inspector');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BERTH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  const name = (process.argv[1] || 'node').split('/').slice(-3, -2)[0] || 'node';
  process.on('exit', () => {
    // An in-process session answers synchronously, so this works inside 'exit'.
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
