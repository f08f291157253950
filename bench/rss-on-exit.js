// Preloaded into `gulp build` by bench/run-child.ts (NODE_OPTIONS=--require). On exit it writes to
// $BENCH_RSS_FILE: peak RSS (VmHWM, KiB; resourceUsage().maxRSS also, which on Linux carries the parent's
// high-water mark over fork+exec), own CPU seconds, and CPU other processes used meanwhile (from /proc/stat).
// Plain JS, so it needs no transpiler.
'use strict';
const fs = require('node:fs');
const file = process.env.BENCH_RSS_FILE;
function busySeconds() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) / 100;
  } catch { return null; }
}
if (file) {
  const busy0 = busySeconds();
  process.on('exit', () => {
    let vmHwm = null;
    try { vmHwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch { /* not Linux */ }
    const cpu = process.cpuUsage();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const busy1 = busySeconds();
    const foreignCpuSeconds = busy0 === null || busy1 === null ? null : Math.max(0, busy1 - busy0 - cpuSeconds);
    fs.writeFileSync(file, JSON.stringify({ vmHwm, maxRSS: process.resourceUsage().maxRSS, cpuSeconds, foreignCpuSeconds }));
  });
}
