// The sampler threads' byte-level field reader (fieldIn) against a string reference, on captured status,
// memory.stat and smaps_rollup text mutated at random, with stale bytes of an earlier, longer read left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Preader, fieldIn, lineKey } from '../../src/sample/io.js';
import { readCmdline } from '../../src/probe/proc.js';
import { spawn } from 'node:child_process';
import { kibFieldBytes } from '../../src/probe/status.js';
import { ROOT } from '../helpers/fixtures.js';
import { mulberry32, type Rng } from '../helpers/prng.js';

const FIX = join(ROOT, 'test', 'fixtures');
const read = (...rel: string[]): string => readFileSync(join(FIX, ...rel), 'latin1');
const CASES = 400;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

/** String reference: the number after the first line starting with key (spaces/tabs skipped), -1 if none. */
function reference(text: string, key: string): number {
  const at = `\n${text}`.indexOf(`\n${key}`);
  if (at < 0) return -1;
  const m = /^[ \t]*(\d+)/.exec(text.slice(at + key.length));
  return m ? Number(m[1]) : -1;
}

function mutate(rng: Rng, text: string): string {
  const lines = text.split('\n');
  const li = int(rng, lines.length);
  const at = int(rng, text.length + 1);
  switch (int(rng, 6)) {
    case 0:
      return text.slice(0, at); // torn read
    case 1:
      lines.splice(li, 1);
      return lines.join('\n');
    case 2:
      return text.slice(0, at) + [' ', '\t', 'x', ':', '\n', '-1', '99999999999'][int(rng, 7)]! + text.slice(at);
    case 3: {
      const j = int(rng, lines.length);
      [lines[li], lines[j]] = [lines[j]!, lines[li]!];
      return lines.join('\n');
    }
    case 4:
      return text.slice(0, at) + String.fromCharCode(int(rng, 256)) + text.slice(at + 1);
    default:
      return text;
  }
}

const subjects = [
  { name: 'status', text: read('proc', 'root', '6683', 'status'), keys: ['VmHWM:', 'VmRSS:', 'VmData:', 'PPid:', 'Name:'] },
  { name: 'memory.stat v1', text: read('cgroup', 'v1', 'memory.stat'), keys: ['total_rss ', 'total_cache ', 'cache ', 'rss '] },
  {
    name: 'smaps_rollup',
    text: read('proc', 'root', '6683', 'smaps_rollup'),
    keys: ['Pss:', 'Private_Clean:', 'Private_Dirty:', 'Swap:', 'Rss:'],
  },
];

for (const s of subjects) {
  test(`fieldIn agrees with the string reference on mutated ${s.name}, whatever an earlier read left in the buffer`, () => {
    const rng = mulberry32(0x10f1e1d + s.name.length);
    const buf = Buffer.alloc(1 << 16);
    let found = 0;
    for (let i = 0; i < CASES; i++) {
      let text = s.text;
      for (let k = int(rng, 4); k > 0; k--) text = mutate(rng, text);
      // An earlier, longer read (the unmutated text twice) stays behind the new one: it must never be matched.
      buf.write(s.text + s.text, 0, 'latin1');
      const n = buf.write(text, 0, 'latin1');
      text = buf.toString('latin1', 0, n);
      for (const key of s.keys) {
        const want = reference(text, key);
        assert.equal(fieldIn(buf, n, lineKey(key)), want, `case ${i}, ${key} in\n${text}`);
        if (want >= 0) found++;
      }
    }
    assert.ok(found > CASES, `the keys were present in most cases (${found})`);
  });
}

test('fieldIn on status equals kibFieldBytes / 1024 for the kB fields of the captured file', () => {
  const text = read('proc', 'root', '6683', 'status');
  const buf = Buffer.from(text, 'latin1');
  for (const key of ['VmHWM', 'VmRSS', 'VmData', 'VmSize', 'VmSwap']) {
    const bytes = kibFieldBytes(text, key);
    assert.ok(bytes >= 0, `${key} present in the fixture`);
    assert.equal(fieldIn(buf, buf.length, lineKey(`${key}:`)) * 1024, bytes, key);
  }
});

test('fieldIn: a key on the first line, a key cut by the end of the read, an empty read', () => {
  const buf = Buffer.alloc(64);
  let n = buf.write('anon 4096\nfile 8192\n', 0, 'latin1');
  assert.equal(fieldIn(buf, n, lineKey('anon ')), 4096);
  assert.equal(fieldIn(buf, n, lineKey('file ')), 8192);
  n = buf.write('anon 1\nfi', 0, 'latin1'); // "le 8192" is left over from the earlier read
  assert.equal(fieldIn(buf, n, lineKey('file ')), -1);
  assert.equal(fieldIn(buf, 0, lineKey('anon ')), -1);
});

test('Preader.cmdline reads as readCmdline does: arguments joined by spaces, cut at 200 characters, "" when gone', async () => {
  const io = new Preader();
  // A long argument (multi-byte characters): the cut at 200 characters with "…", as readCmdline cuts it.
  const long = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)', 'é'.repeat(250)], { stdio: 'ignore' });
  try {
    // Until the child has exec'd (before, its command line is this process's).
    while (!readCmdline(long.pid!).includes('setTimeout')) await new Promise((r) => setTimeout(r, 5));
    for (const pid of [process.pid, long.pid!]) assert.equal(io.cmdline(`/proc/${pid}/cmdline`), readCmdline(pid));
    assert.equal(io.cmdline(`/proc/${long.pid}/cmdline`).length, 200);
    assert.ok(io.cmdline(`/proc/${long.pid}/cmdline`).endsWith('é…'));
    assert.equal(io.cmdline('/proc/0/cmdline'), '');
  } finally {
    long.kill('SIGKILL');
  }
});
