// This process's own kernel figures: its resident high-water mark (VmHWM of /proc/self/status) and the reset of
// it (/proc/self/clear_refs). Read by the in-process harness, limitMemory and memoryMarks.
import { readFileSync, writeFileSync } from 'node:fs';

/** VmHWM from /proc/self/status, in bytes; null off Linux. */
export function readPeakRssBytes(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0: write 5 to /proc/self/clear_refs); false when not possible. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
