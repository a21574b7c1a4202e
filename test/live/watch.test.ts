// membench watch: attach to a running fixture; the target exiting, a duration and Ctrl-C are outcomes; leak verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatchRecording } from '../../src/live/watch.js';
import { BoundedTimeline, bucketMax } from '../../src/live/watch.js';
import { CLI, MEMFIX, MIB } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-watch-'));
let seq = 0;

function startWatch(pid: number, args: readonly string[]): { child: ChildProcess; json: string; done: Promise<{ code: number | null; stdout: string }> } {
  const json = join(dir, `w${seq++}.json`);
  const child = spawn(process.execPath, [CLI, 'watch', String(pid), '--json', json, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const done = new Promise<{ code: number | null; stdout: string }>((r) => child.on('exit', (code) => r({ code, stdout })));
  return { child, json, done };
}
const read = (p: string): WatchRecording => JSON.parse(readFileSync(p, 'utf8')) as WatchRecording;

test('the target exiting ends the watch as an outcome; its peak is in the recording', async () => {
  const target = spawn(MEMFIX, ['hold', '30', '1500'], { stdio: 'ignore' });
  const w = startWatch(target.pid!, ['--interval', '20ms']);
  const { code, stdout } = await w.done;
  assert.equal(code, 0);
  const rec = read(w.json);
  assert.deepEqual(rec.outcome, { state: 'target-exited' });
  assert.ok(rec.peakRssSumBytes! >= 30 * MIB && rec.peakRssSumBytes! < 34 * MIB, `peak ${rec.peakRssSumBytes! / MIB} MiB`);
  assert.ok(rec.command.startsWith(MEMFIX));
  assert.match(stdout, /ended because the process exited/);
});

test('--duration ends the watch; a leaking fixture gets a leak verdict', async () => {
  const target = spawn(MEMFIX, ['leak', '20', '20000'], { stdio: 'ignore' });
  try {
    const w = startWatch(target.pid!, ['--interval', '20ms', '--duration', '2.5s']);
    const { code } = await w.done;
    assert.equal(code, 0);
    const rec = read(w.json);
    assert.deepEqual(rec.outcome, { state: 'duration-reached', durationMs: 2500 });
    assert.equal(rec.leak.verdict, 'leak', rec.leak.reason);
    assert.ok(rec.timeline.tMs.length > 50);
  } finally {
    target.kill('SIGKILL');
  }
});

test('Ctrl-C writes the recording and exits 130', async () => {
  const target = spawn(MEMFIX, ['hold', '10', '20000'], { stdio: 'ignore' });
  try {
    const w = startWatch(target.pid!, ['--interval', '50ms']);
    await new Promise((r) => setTimeout(r, 1200));
    w.child.kill('SIGINT');
    const { code } = await w.done;
    assert.equal(code, 130);
    const rec = read(w.json);
    assert.deepEqual(rec.outcome, { state: 'interrupted', signal: 'SIGINT' });
    assert.ok(rec.peakRssSumBytes! >= 10 * MIB);
  } finally {
    target.kill('SIGKILL');
  }
});

test('bucketMax keeps each bucket\'s maximum', () => {
  assert.deepEqual(bucketMax([0, 1, 2, 3], [5, 9, 1, 2], 2), { tMs: [1, 3], bytes: [9, 2] });
  assert.deepEqual(bucketMax([0, 1], [5, 9], 4), { tMs: [0, 1], bytes: [5, 9] });
});

test('a SIGKILLed watch leaves a valid partial recording (checkpointed every 5 s)', async () => {
  const target = spawn(MEMFIX, ['hold', '12', '30000'], { stdio: 'ignore' });
  try {
    const w = startWatch(target.pid!, ['--interval', '20ms']);
    await new Promise((r) => setTimeout(r, 6500));
    w.child.kill('SIGKILL');
    await w.done;
    const rec = read(w.json);
    assert.deepEqual(rec.outcome, { state: 'in-progress' });
    assert.ok(rec.ticks > 100, `${rec.ticks} ticks`);
    assert.ok(rec.peakRssSumBytes! >= 12 * MIB, `peak ${rec.peakRssSumBytes! / MIB} MiB`);
    assert.ok(rec.timeline.tMs.length > 100);
  } finally {
    target.kill('SIGKILL');
  }
});

test('BoundedTimeline stays bounded, keeps the peak and the mean', () => {
  const tl = new BoundedTimeline(8);
  for (let i = 0; i < 1000; i++) tl.push(i, i === 500 ? 1e9 : i, 1);
  assert.ok(tl.tMs.length <= 8);
  assert.equal(tl.samples, 1000);
  assert.equal(Math.max(...tl.max), 1e9);
  const total = tl.mean.reduce((s, m, i) => s + m * tl.count[i]!, 0);
  const expected = (999 * 1000) / 2 - 500 + 1e9;
  assert.ok(Math.abs(total - expected) < 1e-3 * expected);
});
