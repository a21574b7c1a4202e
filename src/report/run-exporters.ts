// `membench run` exports, hyperfine's flags: --export-json, --export-markdown, --export-csv. One Exporter per
// format (the interface the suite's exporters share) over the facts of run-rows.ts; adding a format is adding an
// entry here and its option in cli/program.ts.
import type { MembenchResult } from '../result.js';
import { documentText } from '../document/write.js';
import type { Exporter } from './exporter.js';
import { csvField } from './csv.js';
import { headlineOf, ranking, verdictOf } from './run-rows.js';
import { formatBytes } from './units.js';

export type RunExportFlag = 'json' | 'markdown' | 'csv';

/** A run export format, asked for with --export-FLAG. */
export type RunExporter = Exporter<MembenchResult> & { readonly flag: RunExportFlag };

const MIB = 1024 * 1024;
const mib = (v: number): string => (v / MIB).toFixed(1);
const md = (s: string): string => s.replaceAll('|', '\\|');

/** hyperfine's Markdown table, for memory: mean ± σ, min, max of the headline peak, relative to the smallest. */
export function runMarkdown(doc: MembenchResult): string {
  const rank = new Map(ranking(doc).map((r) => [r.command, r]));
  const lines = [
    '| Command | Peak [MiB] | Min [MiB] | Max [MiB] | Largest process | Wall [s] | Verdict | Relative |',
    '|:---|---:|---:|---:|:---|---:|:---|---:|',
  ];
  for (const b of doc.benchmarks) {
    const h = headlineOf(b);
    const s = h.stats;
    const r = rank.get(b.command);
    const rel = r ? `${r.ratio.toFixed(2)}${r.ratioStddev !== null && r.ratio !== 1 ? ` ± ${r.ratioStddev.toFixed(2)}` : ''}` : '';
    const v = verdictOf(b);
    lines.push(
      `| ${[
        `\`${md(b.command)}\``,
        s ? `${mib(s.mean)}${s.n > 1 ? ` ± ${mib(s.stddev)}` : ''}` : '—',
        s ? mib(s.min) : '—',
        s ? mib(s.max) : '—',
        h.largest ? md(`${h.largest.name} ${formatBytes(h.largest.bytes)}`) : '—',
        h.wall ? `${(h.wall.mean / 1000).toFixed(3)}${h.wall.n > 1 ? ` ± ${(h.wall.stddev / 1000).toFixed(3)}` : ''}` : '—',
        v ? `${v.words}${v.of > 1 ? ` (${v.agree}/${v.of})` : ''}` : '—',
        rel,
      ].join(' | ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const CSV_COLUMNS = [
  'command',
  'runs',
  'peak_mean_bytes',
  'peak_stddev_bytes',
  'peak_median_bytes',
  'peak_min_bytes',
  'peak_max_bytes',
  'peak_source',
  'largest_process',
  'largest_process_bytes',
  'wall_mean_ms',
  'wall_stddev_ms',
  'verdict',
  'parameter_name',
  'parameter_value',
] as const;

/** One row per benchmark (hyperfine's CSV shape), bytes as integers, the headline's source in words. */
export function runCsv(doc: MembenchResult): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const b of doc.benchmarks) {
    const h = headlineOf(b);
    const s = h.stats;
    const round = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v));
    lines.push(
      [
        b.command,
        h.runsCounted,
        round(s?.mean),
        round(s?.stddev),
        round(s?.median),
        round(s?.min),
        round(s?.max),
        h.source?.text ?? null,
        h.largest?.name ?? null,
        h.largest?.bytes ?? null,
        h.wall ? Number(h.wall.mean.toFixed(3)) : null,
        h.wall ? Number(h.wall.stddev.toFixed(3)) : null,
        verdictOf(b)?.verdict ?? null,
        b.parameter?.name ?? null,
        b.parameter?.value ?? null,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export const RUN_EXPORTERS: readonly RunExporter[] = [
  { flag: 'json', describe: 'the result document, rewritten after every run', render: documentText },
  { flag: 'markdown', describe: 'a Markdown table of the commands (for PRs)', render: runMarkdown },
  { flag: 'csv', describe: 'one CSV row per command', render: runCsv },
];
