// How the benches start a build of membench.
import { accessSync, constants } from 'node:fs';

/**
 * A build's CLI as users start it: the bin itself when it is executable (its first line starts node with the flags
 * scripts/bin-exec.mjs gives it), else `node CLI` (a build from before the bin was made executable ran that way).
 */
export function cliArgv(cli: string): string[] {
  try {
    accessSync(cli, constants.X_OK);
    return [cli];
  } catch {
    return [process.execPath, cli];
  }
}
