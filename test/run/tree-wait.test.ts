// The wait for the whole tree, on a scripted sampler and a fake clock: when it ends, when it kills again,
// and its safety nets (a stalled sampler, processes counted alive that no longer exist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHANTOM_GRACE_MS,
  POLL_MAX_MS,
  REKILL_EVERY_MS,
  SAMPLER_STALL_MS,
  SAMPLER_STALLED_NOTE,
  survivorAction,
  waitForTree,
  type TreeCounts,
  type WaitClock,
} from '../../src/run/tree-wait.js';

/** A sampler whose state at each poll is given by `script(pollNumber)`; the clock moves only in sleeps. */
function scripted(script: (poll: number) => { ticks: number; alive: number; pids?: number[] }): {
  sampler: TreeCounts;
  clock: WaitClock;
  polls: () => number;
  slept: number[];
} {
  let poll = 0;
  let state = script(0);
  let t = 0;
  const slept: number[] = [];
  return {
    sampler: {
      get ticks() {
        return state.ticks;
      },
      get alive() {
        return state.alive;
      },
      get memberPids() {
        return state.pids ?? [];
      },
    },
    clock: {
      now: () => t,
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
        state = script(++poll);
      },
    },
    polls: () => poll,
    slept,
  };
}

test('survivorAction: none; killed at once with --survivors kill; killed after a stop; else waited for', () => {
  assert.deepEqual(survivorAction(0, 'kill', true), { action: 'none', killNow: false });
  assert.deepEqual(survivorAction(2, 'kill', false), { action: 'killed', killNow: true });
  assert.deepEqual(survivorAction(2, 'kill', true), { action: 'killed', killNow: false }, 'the stop already killed the tree');
  assert.deepEqual(survivorAction(2, 'wait', true), { action: 'killed', killNow: false });
  assert.deepEqual(survivorAction(2, 'wait', false), { action: 'waited-for', killNow: false });
});

test('ends after two ticks in a row with no process alive; polls at the interval, capped at 20 ms', async () => {
  // One tick per poll; alive until poll 3, empty from poll 4: ends on poll 5.
  const s = scripted((p) => ({ ticks: p, alive: p < 4 ? 1 : 0, pids: [1] }));
  const r = await waitForTree({
    sampler: s.sampler,
    intervalMs: 50,
    action: 'none',
    stopped: () => false,
    killAll: () => assert.fail('no kill'),
    pidAlive: () => true,
    clock: s.clock,
  });
  assert.deepEqual(r, { action: 'none', samplerProblem: null });
  assert.equal(s.polls(), 5);
  assert.deepEqual(new Set(s.slept), new Set([POLL_MAX_MS]));
  const fast = scripted((p) => ({ ticks: p, alive: 0 }));
  await waitForTree({
    sampler: fast.sampler,
    intervalMs: 0.5,
    action: 'none',
    stopped: () => false,
    killAll: () => undefined,
    pidAlive: () => true,
    clock: fast.clock,
  });
  assert.deepEqual(fast.slept, [1, 1], 'at least 1 ms');
});

test('a poll without a new tick does not count as empty', async () => {
  // Ticks move on even polls only: the two empty ticks take four polls.
  const s = scripted((p) => ({ ticks: Math.floor(p / 2), alive: 0 }));
  await waitForTree({
    sampler: s.sampler,
    intervalMs: 10,
    action: 'none',
    stopped: () => false,
    killAll: () => undefined,
    pidAlive: () => true,
    clock: s.clock,
  });
  assert.equal(s.polls(), 4);
});

test('a sampler that stops ticking ends the wait after 5 s, with the note', async () => {
  const s = scripted(() => ({ ticks: 7, alive: 1, pids: [1] }));
  const r = await waitForTree({
    sampler: s.sampler,
    intervalMs: 10,
    action: 'waited-for',
    stopped: () => false,
    killAll: () => undefined,
    pidAlive: () => true,
    clock: s.clock,
  });
  assert.deepEqual(r, { action: 'waited-for', samplerProblem: SAMPLER_STALLED_NOTE });
  assert.equal(s.polls(), SAMPLER_STALL_MS / 10 + 1, 'the first poll past 5 s');
});

test('processes counted alive that no longer exist end the wait after 1 s', async () => {
  const s = scripted((p) => ({ ticks: p, alive: 2, pids: [11, 12] }));
  const r = await waitForTree({
    sampler: s.sampler,
    intervalMs: 10,
    action: 'waited-for',
    stopped: () => false,
    killAll: () => undefined,
    pidAlive: () => false,
    clock: s.clock,
  });
  assert.deepEqual(r, { action: 'waited-for', samplerProblem: null });
  // Seen at poll 1 (t = 10 ms); over at the first poll more than 1 s later.
  assert.equal(s.polls(), 1 + PHANTOM_GRACE_MS / 10 + 1);
  const oneAlive = scripted((p) => ({ ticks: p, alive: p < 300 ? 2 : 0, pids: [11, 12] }));
  await waitForTree({
    sampler: oneAlive.sampler,
    intervalMs: 10,
    action: 'waited-for',
    stopped: () => false,
    killAll: () => undefined,
    pidAlive: (pid) => pid === 12,
    clock: oneAlive.clock,
  });
  assert.equal(oneAlive.polls(), 301, 'one of them alive: waited for');
});

test('a stop while survivors are waited for turns them to killed, and the tree is killed again every 100 ms', async () => {
  let stopped = false;
  let kills = 0;
  const s = scripted((p) => {
    if (p === 3) stopped = true;
    return { ticks: p, alive: p < 53 ? 1 : 0, pids: [1] };
  });
  const r = await waitForTree({
    sampler: s.sampler,
    intervalMs: 10,
    action: 'waited-for',
    stopped: () => stopped,
    killAll: () => kills++,
    pidAlive: () => true,
    clock: s.clock,
  });
  assert.equal(r.action, 'killed');
  // Polls 3…54 at 10 ms steps (t = 30…540 ms); a kill once more than 100 ms passed since the last (t = 0): 110, 220, 330, 440.
  assert.equal(kills, Math.floor((540 - 1) / (REKILL_EVERY_MS + 10)));
  const waited = scripted((p) => ({ ticks: p, alive: p < 53 ? 1 : 0, pids: [1] }));
  const quiet = await waitForTree({
    sampler: waited.sampler,
    intervalMs: 10,
    action: 'waited-for',
    stopped: () => false,
    killAll: () => assert.fail('no kill'),
    pidAlive: () => true,
    clock: waited.clock,
  });
  assert.equal(quiet.action, 'waited-for');
});
