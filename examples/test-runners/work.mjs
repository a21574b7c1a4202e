// The code under test in the runner examples: one function whose peak is known, one that leaks, one that does not.

/** Builds n rows and returns only their count: about 8 MiB of objects at the peak for n = 100 000, none kept. */
export function buildReport(n) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push({ id: i, name: `row ${i}`, tags: [i % 7, i % 11] });
  return rows.length;
}

const seen = [];

/** A request log that is never trimmed: every call keeps 1 000 entries (about 81 KiB) reachable for good. */
export function handleRequest(id) {
  const entries = [];
  for (let i = 0; i < 1000; i++) entries.push({ id, step: i, note: `step ${i}` });
  seen.push(entries);
  return entries.length;
}

/** The same work without the log: nothing stays reachable after the call. */
export function handleRequestFixed(id) {
  const entries = [];
  for (let i = 0; i < 1000; i++) entries.push({ id, step: i, note: `step ${i}` });
  return entries.length;
}
