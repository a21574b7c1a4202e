// The preload `--with v8` puts in NODE_OPTIONS (--require): V8's sampling heap profiler started through
// node:inspector in the process itself, a profile taken whenever the used JS heap reaches a new high (checked from
// the event loop every 20 ms and at exit), and one at exit; both written, with VmHWM, to one file per process.

/** Environment the preload reads: the output directory and the sampling interval in bytes. */
export const V8_DIR_VAR = 'MEMBENCH_V8_DIR';
export const V8_INTERVAL_VAR = 'MEMBENCH_V8_INTERVAL';
export const V8_PRELOAD_FILE = 'membench-v8-preload.cjs';
/** Output: membench-v8.PID.json. */
export const V8_OUTPUT = /^membench-v8\.(\d+)\.json$/;

export const V8_PRELOAD_SOURCE = `'use strict';
// Written by membench profile --with v8; removed when the profile is read.
(() => {
  const dir = process.env.${V8_DIR_VAR};
  if (!dir || !require('node:worker_threads').isMainThread) return;
  const fs = require('node:fs');
  const v8 = require('node:v8');
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  // A session connected to its own thread answers synchronously.
  const post = (method, params) => {
    let error = null, result = null;
    session.post(method, params, (e, r) => { error = e; result = r; });
    if (error) throw error;
    return result;
  };
  post('HeapProfiler.startSampling', { samplingInterval: Number(process.env.${V8_INTERVAL_VAR}) || 32768 });
  const t0 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  let peak = null;
  let taken = 0;
  const check = (atExit) => {
    const used = v8.getHeapStatistics().used_heap_size;
    // A new profile only when the heap is 2 % above the last one: a steady climb costs a few dozen profiles.
    if (peak !== null && (atExit ? used <= peak.heapUsedBytes : used < peak.heapUsedBytes * 1.02)) return;
    peak = { tMs: ms(), heapUsedBytes: used, profile: post('HeapProfiler.getSamplingProfile').profile };
    taken++;
  };
  setInterval(() => check(false), 20).unref();
  process.on('exit', () => {
    try {
      check(true);
      const exit = { tMs: ms(), heapUsedBytes: v8.getHeapStatistics().used_heap_size, profile: post('HeapProfiler.getSamplingProfile').profile };
      const status = fs.readFileSync('/proc/self/status', 'latin1');
      const hwm = /\\nVmHWM:\\s*(\\d+) kB/.exec(status);
      fs.writeFileSync(require('node:path').join(dir, 'membench-v8.' + process.pid + '.json'), JSON.stringify({
        kind: 'membench-v8-preload', pid: process.pid, argv: process.argv, vmHwmBytes: hwm ? Number(hwm[1]) * 1024 : null,
        samplingIntervalBytes: Number(process.env.${V8_INTERVAL_VAR}) || 32768, profilesTaken: taken, peak, exit,
      }));
    } catch (e) {
      process.stderr.write('membench v8 preload: ' + e.message + '\\n');
    }
  });
})();
`;
