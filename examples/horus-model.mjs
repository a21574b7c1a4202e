// A small model of the Horus stack's objects (jobs, supervisor clients, payloads), shaped like the Rust
// memory benchmarks this example reproduces: what each allocates is what a real client of that kind holds.
import { Agent } from 'node:http';
import { randomBytes } from 'node:crypto';

let sequence = 0;

/** A job as the supervisor stores it: ids, state, timestamps, tags, a small JSON payload and its script. */
export function createJob(payload = { retries: 3, queue: 'default' }) {
  const n = ++sequence;
  const id = `job-${n.toString(16).padStart(8, '0')}-${randomBytes(8).toString('hex')}`;
  return {
    id,
    name: `process-batch-${n}`,
    status: 'pending',
    priority: n % 5,
    createdAt: new Date(),
    updatedAt: null,
    attempts: 0,
    maxAttempts: 3,
    tags: ['horus', 'batch', `shard-${n % 16}`],
    payload: { ...payload, jobId: id },
    // The script a worker runs: unique per job, as real job specs are.
    script: `#!/bin/sh\nset -eu\n# ${id}\n` + `run-step --job ${id} --shard ${n % 16} --retries ${payload.retries}\n`.repeat(8),
    result: null,
  };
}

export function createJobs(count) {
  const jobs = [];
  for (let i = 0; i < count; i++) jobs.push(createJob());
  return jobs;
}

/** A supervisor client: an HTTP keep-alive agent (its connection pool), read/write buffers, default headers. */
export class SupervisorClient {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    this.agent = new Agent({ keepAlive: true, maxSockets: 8 });
    this.readBuffer = Buffer.alloc(16 * 1024);
    this.writeBuffer = Buffer.alloc(8 * 1024);
    this.headers = { 'user-agent': 'horus-client/0.1', accept: 'application/json', 'x-client-id': randomBytes(8).toString('hex') };
    this.inFlight = new Map();
  }
}

export function createClients(count) {
  const clients = [];
  for (let i = 0; i < count; i++) clients.push(new SupervisorClient(`http://127.0.0.1:${8000 + (i % 100)}`));
  return clients;
}

/**
 * A job carrying a payload of `bytes` bytes, and that job serialised to JSON for the wire: the payload is held
 * twice (as the job's string and inside the JSON body), so expect a little over 2 bytes per payload byte.
 */
export function createPayloadJob(bytes) {
  const data = Buffer.alloc(bytes, 'horus-payload ').toString('latin1');
  const job = createJob({ retries: 3, queue: 'payloads', data });
  return { job, body: JSON.stringify(job) };
}
