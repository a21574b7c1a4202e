// The fast thread's schedule: which slots a late tick gives up, under both rules, for random lateness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextSlot } from '../../src/sample/schedule.js';
import { mulberry32 } from '../helpers/prng.js';

test('window rule: the next slot is the first whose interval has not wholly passed; every skipped slot had wholly passed', () => {
  const rng = mulberry32(0x5c4ed);
  for (let i = 0; i < 2000; i++) {
    const interval = [1, 0.5, 2, 10][i % 4]!;
    const slot = Math.floor(rng() * 1e6);
    // The tick of `slot` ends between its own time and 5 intervals later.
    const elapsed = (slot + rng() * 5) * interval;
    const next = nextSlot(slot, elapsed, interval);
    assert.ok(next >= slot + 1, 'never behind');
    assert.ok((next + 1) * interval > elapsed, `slot ${next} still open at ${elapsed}`);
    for (let j = slot + 1; j < next; j++) assert.ok((j + 1) * interval <= elapsed, `skipped slot ${j} had passed`);
  }
});

test('strict rule (before): gives up every slot whose time had come; it never keeps more slots than the window rule', () => {
  const rng = mulberry32(0x5c4ee);
  for (let i = 0; i < 2000; i++) {
    const slot = Math.floor(rng() * 1e6);
    const elapsed = slot + rng() * 5;
    const strict = nextSlot(slot, elapsed, 1, 'strict');
    assert.ok(strict > elapsed || strict === slot + 1, 'the next slot is still to come (or the very next)');
    assert.ok(strict >= nextSlot(slot, elapsed, 1, 'window'));
  }
  // The case the window rule exists for: the tick of slot 7 ended 0.1 ms into slot 8's interval.
  assert.equal(nextSlot(7, 8.1, 1, 'strict'), 9);
  assert.equal(nextSlot(7, 8.1, 1, 'window'), 8);
  assert.equal(nextSlot(7, 7.2, 1, 'window'), 8, 'on time: the next slot');
});
