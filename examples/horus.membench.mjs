// The Horus stack's memory benchmarks (job creation, client creation, payload sizes), in-process: each size
// runs in a fresh node process, and what the function returns is what is measured.
//   npx membench suite examples/horus.membench.mjs
import { bench, defineSuite } from 'membench/suite';
import { createClients, createJobs, createPayloadJob } from './horus-model.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;

export default defineSuite({
  runs: 5,
  benchmarks: [
    bench('job creation', (n) => createJobs(n), { sizes: [10, 50, 100, 200], unit: 'job', expect: { perUnit: '1..2 KiB' } }),
    bench('client creation', (n) => createClients(n), { sizes: [1, 10, 50, 100], unit: 'client', expect: { perUnit: '10..50 KiB' } }),
    bench('payload sizes', (n) => createPayloadJob(n), {
      sizes: [1 * KiB, 10 * KiB, 100 * KiB, 1 * MiB], unit: 'byte',
      // Held twice (the job's string and its JSON body): 2 bytes per payload byte plus a little structure.
      expect: { perUnit: '1.9..2.3 B' },
    }),
  ],
});
