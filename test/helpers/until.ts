// Waiting on a condition in tests: a deadline, not a guess of how long something takes.
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `ok` every 5 ms until it holds (true) or `ms` pass (false). */
export async function until(ok: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}
