// --pprof read by the reference reader: `go tool pprof` (Debian golang-go) opens membench's gzipped profile.proto
// of fixtures/src/flamesites.c under massif and lists the planted sites with their bytes, functions and lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'membench-pprof-go-'));
const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
const skip = hasGo ? false : 'go is not installed (apt-get install golang-go; CI installs it from .ci/apt-packages.txt)';

function pprof(args: readonly string[], file: string): string {
  const r = spawnSync('go', ['tool', 'pprof', ...args, file], {
    encoding: 'utf8',
    env: { ...process.env, PPROF_TMPDIR: dir },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('go tool pprof -top lists the planted sites of a massif profile: new_record 10 MiB, grow_table 4 MiB', {
  skip,
  timeout: 180_000,
}, () => {
  const src = join(ROOT, 'fixtures', 'src', 'flamesites.c');
  const bin = join(dir, 'flamesites');
  execFileSync('cc', ['-O2', '-g', '-o', bin, src]);
  const out = join(dir, 'flamesites.pb.gz');
  const r = runCli(['profile', '--with', 'massif', '--pprof', out, '--no-chart', '--', bin], { timeoutMs: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  // pprof writes binary sizes in units of 1024 ("10MB" is 10 MiB) and names the sample type it shows.
  const top = pprof(['-top', '-sample_index=inuse_space'], out);
  assert.match(top, /^Type: inuse_space$/m);
  assert.match(top, /Showing nodes accounting for 14MB, 100% of 14MB total/);
  assert.match(top, /^\s+10MB 71\.43% 71\.43%\s+10MB 71\.43%\s+new_record$/m);
  assert.match(top, /^\s+4MB 28\.57%\s+100%\s+4MB 28\.57%\s+grow_table$/m);
  assert.match(top, /^\s+0\s+0%\s+100%\s+12MB 85\.71%\s+build_index$/m);
  // By line: the malloc of each site, as massif named it.
  const lineOf = (code: string): number =>
    readFileSync(src, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(code)) + 1;
  const lines = pprof(['-top', '-lines', '-sample_index=inuse_space'], out);
  assert.match(lines, new RegExp(`10MB 71\\.43%.*new_record .*flamesites\\.c:${lineOf('void *p = malloc(KIB);')}`));
  assert.match(lines, new RegExp(`4MB 28\\.57%.*grow_table .*flamesites\\.c:${lineOf('table[i] = malloc(64 * KIB)')}`));
});
