// profile diff across ASLR: fixtures/src/flamesites.c built without symbols (strip) and profiled twice under
// heaptrack and under massif; its unsymbolized frames are named by module and offset (from /proc/PID/maps read
// during each run), so the two runs' sites line up — no "gone"/"new" pair for the same code at another address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteRows } from '../../src/profile/model.js';
import type { ProfileDocument } from '../../src/document/profile.js';
import { MIB, ROOT, runCli } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-aslr-'));
const aslr = readFileSync('/proc/sys/kernel/randomize_va_space', 'utf8').trim();
const skip = aslr === '0' ? 'ASLR is off on this machine (kernel.randomize_va_space = 0): nothing moves between runs' : false;

function profileTwice(profiler: string, bin: string): [ProfileDocument, ProfileDocument, string] {
  const docs = [1, 2].map((i) => {
    const json = join(dir, `${profiler}-${i}.json`);
    const r = runCli(['profile', '--with', profiler, '--json', json, '--no-chart', '--', bin], { timeoutMs: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    return json;
  });
  const d = runCli(['profile', 'diff', ...docs, '--top', '50']);
  assert.equal(d.status, 0, d.stderr);
  return [JSON.parse(readFileSync(docs[0]!, 'utf8')), JSON.parse(readFileSync(docs[1]!, 'utf8')), d.stdout];
}

for (const profiler of ['heaptrack', 'massif']) {
  test(`${profiler}: a stripped program's sites are module+offset and line up across two runs`, { skip, timeout: 300_000 }, () => {
    const bin = join(dir, 'flamesites-stripped');
    execFileSync('cc', ['-O2', '-s', '-o', bin, join(ROOT, 'fixtures', 'src', 'flamesites.c')]);
    const [a, b, diff] = profileTwice(profiler, bin);
    for (const doc of [a, b]) {
      // Two planted sites in the binary stay two sites (new_record 10 MiB, grow_table 4 MiB), not one "??? (binary)".
      const sites = siteRows(doc.stacks, 'self').filter((r) => r.site.startsWith('flamesites-stripped+0x'));
      assert.deepEqual(
        sites.map((r) => r.peakBytes),
        [10 * MIB, 4 * MIB],
        JSON.stringify(siteRows(doc.stacks, 'self')),
      );
    }
    assert.deepEqual(
      siteRows(a.stacks, 'self').map((r) => r.site),
      siteRows(b.stacks, 'self').map((r) => r.site),
    );
    assert.doesNotMatch(diff, /\((gone|new)\)/);
    assert.doesNotMatch(diff, /0x[0-9a-f]{8,}/, 'no raw address in the diff');
    assert.match(diff, /\(no site changed\)/);
  });
}
