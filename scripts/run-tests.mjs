// Runs every compiled test (dist/test/**/*.test.js) with node's test runner, one file at a time:
// integration tests start real processes and cgroups, and timing-sensitive ones must not share 2 cores.
//   node scripts/run-tests.mjs [substring]   every test file whose path contains substring
//   node scripts/run-tests.mjs --unit        the fast subset (npm run test:unit): the pure layers, in one process
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The unit subset, as paths under dist/test: parsers, analyses, renderers and stores fed fixtures or synthetic data.
// Nothing here starts the CLI, a fixture program, a cgroup, a browser or measures its own heap, so the files can share
// one process. A new test file in these folders joins the subset; one that starts real processes belongs in NOT_UNIT.
const UNIT = [
  'analyze/',
  'document/',
  'probe/',
  'report/',
  'store/',
  'suite/config.test',
  'suite/expect.test',
  'sample/columns.test',
  'sample/io.test',
  'sample/pid-list.test',
  'sample/schedule.test',
  'live/process-table.test',
  'live/watch-view.test',
  'profile/parsers.test',
  'profile/coverage.test',
  'api/marks.test',
  'units.test',
  'stats-core.test',
  'cli/progress.test',
  'cli/watch-render.test',
  'errors.test',
  'run/oom-counters.test',
];
const NOT_UNIT = [/browser/, /report\/suite-html\.test/];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = join(root, 'dist', 'test');
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : [],
  );
const unit = process.argv[2] === '--unit';
const filter = unit ? undefined : process.argv[2];
const isUnit = (f) => {
  const rel = relative(testRoot, f);
  return UNIT.some((u) => rel.startsWith(u)) && !NOT_UNIT.some((re) => re.test(rel));
};
const files = walk(testRoot)
  .filter((f) => (unit ? isUnit(f) : !filter || f.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
// The unit subset runs in one process (imported one after the other): starting node per file cost ~0.8 s each here,
// twice the tests' own time. The full run keeps one process per file.
const args = unit
  ? [
      '--test-reporter=spec',
      '--input-type=module',
      '-e',
      `for (const f of ${JSON.stringify(files.map((f) => pathToFileURL(f).href))}) await import(f);`,
    ]
  : ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
