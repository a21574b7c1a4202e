// `membench profile`: run a command under a heap profiler, import a profiler's file, or diff two profiles;
// the terminal shows top allocation sites at the peak, --json writes the profile document, --html the page.
import { writeTextAtomic } from '../store/atomic.js';
import { toPprof } from '../profile/pprof.js';
import { resolve } from 'node:path';
import { EXIT, MembenchError, usageError } from '../errors.js';
import { diffProfiles, exceedsGate } from '../profile/diff.js';
import { importProfile } from '../profile/import.js';
import type { ProfileDocument } from '../document/profile.js';
import { PROFILERS, type Profiler } from '../document/profilers.js';
import { profileCommandRun } from '../profile/run.js';
import { renderProfile, renderProfileDiff } from '../report/profile-terminal.js';
import { colorsFor, colorWanted } from '../report/colors.js';
import { renderProfileHtml } from '../report/profile-html.js';
import { parseCount, parseSizeBytes } from './parse-values.js';
import { checkOutputs, checkReadableFile } from './output-paths.js';
import { PROFILE_DIFF_KIND, THIS_TOOL } from '../document/kinds.js';

export interface RawProfileOptions {
  with?: string;
  json?: string;
  html?: string;
  pprof?: string;
  top: string;
  failAbove?: string;
  sampleInterval: string;
  showOutput?: boolean;
  cwd?: string;
  color: boolean;
  chart: boolean;
}

/** Whole file or nothing: a reader never sees half a document. */
const writeAtomic = writeTextAtomic;

function parsePercent(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m) throw usageError(`${flag}: "${text}" is not a percentage`, 'write e.g. 10% (a bare number is a percentage too)');
  return Number(m[1]) / 100;
}

function emit(
  doc: unknown,
  text: string,
  raw: RawProfileOptions,
  html: (() => string) | null,
  pprof: (() => Uint8Array) | null = null,
): void {
  if (raw.pprof && pprof) writeAtomic(resolve(raw.pprof), pprof());
  if (raw.json) {
    if (raw.json === '-') process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else writeAtomic(resolve(raw.json), `${JSON.stringify(doc, null, 2)}\n`);
  }
  if (raw.html && html) writeAtomic(resolve(raw.html), html());
  (raw.json === '-' ? process.stderr : process.stdout).write(text);
}

export async function profileCommand(raw: RawProfileOptions, args: readonly string[], execArgv: readonly string[] | null): Promise<number> {
  const top = parseCount('--top', raw.top, 1, 1000);
  // Every file it will write, checked before a profiler runs (an input cannot be an output).
  checkOutputs(
    [
      { flag: '--json', path: raw.json },
      { flag: '--html', path: raw.html, stdout: false },
      { flag: '--pprof', path: raw.pprof, stdout: false },
    ],
    args[0] === 'import' || args[0] === 'diff' ? args.slice(1) : [],
  );
  const c = colorsFor(colorWanted({ flag: raw.color, tty: process.stdout.isTTY === true, env: process.env }));
  const show = (p: ProfileDocument): void =>
    emit(
      p,
      renderProfile(p, c, { top, chart: raw.chart }),
      raw,
      () => renderProfileHtml(p),
      () => toPprof(p),
    );
  if (raw.failAbove !== undefined && args[0] !== 'diff') throw usageError('--fail-above applies to profile diff only');
  if (raw.pprof !== undefined && args[0] === 'diff')
    throw usageError('--pprof writes one profile, not a diff', 'write each profile with profile import FILE --pprof OUT');
  if (execArgv !== null) {
    if (args.length > 0)
      throw usageError(`profile: unexpected ${JSON.stringify(args[0])} before --`, 'write: membench profile --with massif -- program args');
    if (!raw.with) throw usageError('profile: say which profiler with --with', `one of ${PROFILERS.join(', ')}`);
    if (execArgv.length === 0) throw usageError('profile: no command after --');
    const r = await profileCommandRun({
      profiler: raw.with as Profiler,
      argv: execArgv,
      cwd: resolve(raw.cwd ?? '.'),
      showOutput: raw.showOutput === true,
      v8SampleIntervalBytes: parseSizeBytes('--sample-interval', raw.sampleInterval),
    });
    show(r.profile);
    if (r.exitCode === 0) return EXIT.OK;
    process.stderr.write(
      `membench: the profiled command ${r.signal ? `was killed by ${r.signal}` : `exited with ${r.exitCode}`}${r.stderrTail ? `; its stderr ended with:\n${r.stderrTail}` : ''}\n`,
    );
    return EXIT.COMMAND_FAILED;
  }
  if (raw.with) throw usageError('--with needs a command after --', 'write: membench profile --with massif -- program args');
  switch (args[0]) {
    case 'import': {
      if (args.length !== 2) throw usageError(`profile import needs one file, got ${args.length - 1}`);
      checkReadableFile('profile', args[1]!);
      show(importProfile(resolve(args[1]!)));
      return EXIT.OK;
    }
    case 'diff': {
      if (args.length !== 3)
        throw usageError(`profile diff needs two profiles, got ${args.length - 1}`, 'write: membench profile diff BEFORE AFTER');
      for (const f of args.slice(1)) checkReadableFile('profile', f);
      const gate = raw.failAbove === undefined ? null : parsePercent('--fail-above', raw.failAbove);
      const d = diffProfiles(importProfile(resolve(args[1]!)), importProfile(resolve(args[2]!)));
      const failed = gate === null ? undefined : exceedsGate(d, gate);
      emit(
        {
          kind: PROFILE_DIFF_KIND,
          schemaVersion: 1,
          tool: THIS_TOOL,
          ...d,
          failAboveRatio: gate,
          failed: failed ?? null,
        },
        renderProfileDiff(d, c, { top, failed }),
        raw,
        null,
      );
      return failed ? EXIT.REGRESSION : EXIT.OK;
    }
    case undefined:
      throw usageError(
        'profile: nothing to do',
        'write: membench profile --with massif -- program, profile import FILE, or profile diff A B',
      );
    default:
      throw new MembenchError(
        'usage',
        `profile: unknown action ${JSON.stringify(args[0])}`,
        'use import or diff, or --with PROFILER -- program',
      );
  }
}
