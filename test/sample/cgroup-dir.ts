// A cgroup made for a test: removed once its last process is gone (rmdir fails while it still holds one).
import { rmdirSync } from 'node:fs';
import { until } from '../helpers/until.js';

/** Removes the cgroup directory as soon as it is empty, trying for up to 2 s; whether it was removed. */
export function removeWhenEmpty(dir: string): Promise<boolean> {
  return until(() => {
    try {
      rmdirSync(dir);
      return true;
    } catch {
      return false;
    }
  }, 2000);
}
