// Runs each corpus program (test/corpus/programs.ts, built to dist/) 5 times under membench and once under
// /usr/bin/time -v, and prints a Markdown table: verdicts over the repeats, membench's peaks (medians) and time's
// max RSS. Usage: npm run build && node scripts/corpus-table.mjs [substring of a program name]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { corpus } = await import(join(root, 'dist', 'test', 'corpus', 'programs.js'));
const REPEATS = 5;
const dir = mkdtempSync(join(tmpdir(), 'membench-corpus-table-'));
const only = process.argv[2];
const MIB = 1024 * 1024;
const mib = (b) => (b === null || b === undefined ? '—' : `${(b / MIB).toFixed(1)} MiB`);
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length === 0 ? null : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

const rows = [];
for (const p of corpus(dir)) {
  if (only && !p.name.includes(only)) continue;
  const out = join(dir, 'out.json');
  const r = spawnSync(
    process.execPath,
    [join(root, 'dist', 'src', 'cli', 'main.js'), 'run', '--runs', String(REPEATS), '--no-chart', '--json', out, '--', ...p.argv],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    rows.push([p.name, p.shape, `failed: ${r.stderr.trim().split('\n').pop()}`, '', '', '', '']);
    continue;
  }
  const runs = JSON.parse(readFileSync(out, 'utf8')).benchmarks[0].runs.filter((x) => !x.warmup);
  const counts = new Map();
  for (const x of runs) counts.set(x.diagnosis?.leak.verdict ?? 'none', (counts.get(x.diagnosis?.leak.verdict ?? 'none') ?? 0) + 1);
  const verdicts = [...counts].map(([v, n]) => `${v} ${n}/${runs.length}`).join(', ');
  const t = spawnSync('/usr/bin/time', ['-v', ...p.argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(t.stderr ?? '')?.[1];
  rows.push([
    p.name,
    p.shape,
    `${verdicts} (expected ${p.expect})`,
    mib(median(runs.map((x) => x.peaks?.treeBytes))),
    mib(median(runs.map((x) => x.peaks?.largestProcessBytes))),
    mib(median(runs.map((x) => x.peaks?.memoryBytes))),
    kb === undefined ? '—' : mib(Number(kb) * 1024),
  ]);
  process.stderr.write(`${p.name}: ${verdicts}\n`);
}
const header = [
  'program',
  'shape',
  `verdict over ${REPEATS} runs`,
  'tree peak (median)',
  'largest process peak (median)',
  'peaks.memoryBytes (median)',
  '/usr/bin/time -v max RSS',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`);
