// membench watch --name: processes with the name started after the watch began join it (recorded as late), and
// the watch ends as target-exited once none is left for the grace period (zombies do not count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WatchRecording } from '../../src/live/watch.js';
import { processesNamed } from '../../src/live/targets.js';
import { SYSTEM_PROC } from '../../src/probe/proc.js';
import { CLI, MEMFIX, MIB } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-watch-name-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A copy of memfix under a name no other test (or engineer) uses: comm is the file name (≤ 15 characters). */
function uniqueMemfix(): { name: string; exe: string } {
  const name = `mfl${randomBytes(4).toString('hex')}`;
  const exe = join(dir, name);
  copyFileSync(MEMFIX, exe);
  return { name, exe };
}

function startWatch(args: readonly string[]): {
  child: ChildProcess;
  json: string;
  done: Promise<{ code: number | null; stdout: string }>;
} {
  const json = join(dir, `w${randomBytes(4).toString('hex')}.json`);
  const child = spawn(process.execPath, [CLI, 'watch', '--json', json, ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const done = new Promise<{ code: number | null; stdout: string }>((r) => child.on('exit', (code) => r({ code, stdout })));
  return { child, json, done };
}

/** The watch and its native sampler helper (native/bin/sampler, a child of one of its threads), which holds the statm fds. */
function watchProcesses(watchPid: number): number[] {
  const helpers = readdirSync(`/proc/${watchPid}/task`)
    .flatMap((tid) => {
      try {
        return readFileSync(`/proc/${watchPid}/task/${tid}/children`, 'latin1')
          .split(' ')
          .filter((x) => x.trim() !== '')
          .map(Number);
      } catch {
        return [];
      }
    })
    .filter((c) => {
      try {
        return readFileSync(`/proc/${c}/comm`, 'latin1').trim() === 'sampler';
      } catch {
        return false;
      }
    });
  return [watchPid, ...helpers];
}

/** Resolves once the watch (or its native helper) holds /proc/PID/statm open: its sampler has begun on PID (no guessing at a delay). */
async function sampling(watchPid: number, pid: number): Promise<void> {
  const target = `/proc/${pid}/statm`;
  for (let i = 0; i < 600; i++) {
    try {
      for (const owner of watchProcesses(watchPid)) {
        for (const fd of readdirSync(`/proc/${owner}/fd`)) {
          try {
            if (readlinkSync(`/proc/${owner}/fd/${fd}`) === target) return;
          } catch {
            // closed meanwhile
          }
        }
      }
    } catch {
      throw new Error(`the watch (pid ${watchPid}) ended before sampling ${pid}`);
    }
    await sleep(100);
  }
  throw new Error(`the watch never opened ${target}`);
}

const read = (p: string): WatchRecording => JSON.parse(readFileSync(p, 'utf8')) as WatchRecording;

test('a process with the name started after the watch began joins it (marked late); a restart within the grace keeps the watch going', async () => {
  const { name, exe } = uniqueMemfix();
  const first = spawn(exe, ['hold', '4', '60000'], { stdio: 'ignore' });
  await once(first, 'spawn');
  let second: ChildProcess | null = null;
  try {
    const w = startWatch(['--name', name, '--interval', '20ms', '--rescan', '250ms', '--grace', '3s', '--duration', '60s']);
    await sampling(w.child.pid!, first.pid!);
    // The "service" restarts its worker: the first one ends, a second one (12 MiB) starts right after.
    const exited = once(first, 'exit');
    first.kill('SIGTERM');
    await exited;
    second = spawn(exe, ['hold', '12', '1500'], { stdio: 'ignore' });
    const { code, stdout } = await w.done;
    assert.equal(code, 0);
    const rec = read(w.json);
    assert.deepEqual(rec.outcome, { state: 'target-exited' });
    assert.equal(rec.name, name);
    assert.equal(rec.pid, first.pid);
    assert.deepEqual(rec.extraPids, []);
    assert.deepEqual(
      rec.lateJoins.map((j) => j.pid),
      [second.pid],
    );
    assert.ok(rec.lateJoins[0]!.joinedMs > 0);
    const late = rec.processes.find((p) => p.pid === second!.pid);
    assert.ok(late, `the late process is in the recording: ${rec.processes.map((p) => p.pid).join(', ')}`);
    // memfix touches exactly 12 MiB; its program, libc and stack add ~1.2 MiB (measured), so < 2 MiB over.
    assert.ok(late.vmHwmBytes! >= 12 * MIB && late.vmHwmBytes! < 14 * MIB, `late VmHWM ${late.vmHwmBytes! / MIB} MiB`);
    assert.ok(late.maxRssBytes >= 12 * MIB && late.maxRssBytes < 14 * MIB, `late max RSS ${late.maxRssBytes / MIB} MiB`);
    // The two never ran together: the peak of Σ RSS is the second one's.
    assert.ok(rec.peakRssSumBytes! >= 12 * MIB && rec.peakRssSumBytes! < 14 * MIB, `peak ${rec.peakRssSumBytes! / MIB} MiB`);
    assert.match(stdout, new RegExp(`--name ${name} \\(${first.pid} at the start, 1 joined later\\)`));
    assert.match(stdout, /ended because the process exited/);
  } finally {
    first.kill('SIGKILL');
    second?.kill('SIGKILL');
  }
});

test('a name watch ends as target-exited once every process with the name is gone, a zombie left unreaped included', async () => {
  const { name, exe } = uniqueMemfix();
  // sh starts the named process, then becomes `sleep`, which never reaps it: killed, it stays a zombie with its comm.
  const holder = spawn('/bin/sh', ['-c', `"${exe}" hold 6 60000 & exec sleep 60`], { stdio: 'ignore' });
  try {
    let named: number[] = [];
    for (let i = 0; i < 100 && named.length === 0; i++) {
      await sleep(50);
      named = processesNamed(name, SYSTEM_PROC).map((p) => p.pid);
    }
    assert.equal(named.length, 1, 'the named process started');
    const pid = named[0]!;
    const w = startWatch(['--name', name, '--interval', '20ms', '--rescan', '200ms', '--duration', '30s']);
    await sampling(w.child.pid!, pid);
    await sleep(300);
    process.kill(pid, 'SIGKILL');
    const { code } = await w.done;
    assert.equal(code, 0);
    assert.match(readFileSync(`/proc/${pid}/stat`, 'latin1'), /\) Z /, 'the killed process is still a zombie');
    const rec = read(w.json);
    assert.deepEqual(rec.outcome, { state: 'target-exited' });
    assert.deepEqual(rec.lateJoins, []);
    assert.equal(rec.processes.length, 1);
    assert.ok(
      rec.processes[0]!.vmHwmBytes! >= 6 * MIB && rec.processes[0]!.vmHwmBytes! < 8 * MIB,
      `VmHWM ${rec.processes[0]!.vmHwmBytes! / MIB} MiB`,
    );
    // A new watch on the name now finds only the zombie, and says so.
    const again = spawnSync(process.execPath, [CLI, 'watch', '--name', name], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(again.status, 2);
    assert.equal(
      again.stderr,
      `membench: every process named ${name} has exited (zombies: no memory left) (watch its parent with --children, or start the watch before it exits)\n`,
    );
  } finally {
    holder.kill('SIGKILL');
  }
});

test('watch --name of a kernel thread: one line saying it has no user memory, exit 2', (t) => {
  // A kernel thread: vsize 0 in /proc/PID/stat (kthreadd is pid 2 on Linux; a container may not show it).
  const kthread = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .find((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[20] === '0' && !/\) [ZX] /.test(stat);
      } catch {
        return false;
      }
    });
  if (kthread === undefined) {
    t.skip('no kernel thread visible in /proc');
    return;
  }
  const name = readFileSync(`/proc/${kthread}/comm`, 'utf8').trim();
  const r = spawnSync(process.execPath, [CLI, 'watch', '--name', name], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr,
    `membench: ${name} is a kernel thread: it has no user memory to watch (see membench system for the kernel's own memory (slab caches))\n`,
  );
});
