// The same Horus benchmarks for the Python model, as commands: each size is a fresh `python3` whose whole
// process tree is measured (the cgroup's peak counter where available). A process's peak moves by a few
// hundred KiB from run to run, so the sizes are larger than in the in-process suite: the growth must stand
// out of that noise for the per-unit fit to mean anything.
//   npx membench suite examples/horus-python.membench.mjs
import { existsSync } from 'node:fs';
import { defineSuite } from 'membench/suite';

// Not plain `python3`: on machines with pyenv that is a shim that forks bash processes, measured too.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const MiB = 1024 * 1024;

export default defineSuite({
  runs: 5,
  benchmarks: [
    { name: 'python: job creation', cmd: [PYTHON, 'horus_model.py', 'jobs', '{n}'], sizes: [1000, 5000, 10000, 20000], unit: 'job', expect: { perUnit: '1..3 KiB' } },
    { name: 'python: client creation', cmd: [PYTHON, 'horus_model.py', 'clients', '{n}'], sizes: [10, 100, 500, 1000], unit: 'client', expect: { perUnit: '10..50 KiB' } },
    // A peak, not what is retained: the job's string, the JSON encoder's escaped copy of it and the joined
    // body are all alive at once inside json.dumps — 3 bytes per payload byte (the in-process suite sees 2).
    { name: 'python: payload sizes', cmd: [PYTHON, 'horus_model.py', 'payload', '{n}'], sizes: [1 * MiB, 4 * MiB, 16 * MiB, 64 * MiB], unit: 'byte', expect: { perUnit: '2.8..3.3 B' } },
  ],
});
