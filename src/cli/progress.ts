// Progress on stderr with an ETA (cli-progress), only when stderr is a terminal: one bar, fed by run (a step per run)
// and by suite (a step per measurement).
import type { BenchmarkHooks } from '../run/benchmark.js';
import type { SuiteHooks } from '../suite/runner.js';
import { commandLine } from '../report/run-rows.js';

interface Bar {
  /** The number of steps planned, once before the first. */
  plan(total: number): void;
  /** A step starts; `what` names it beside the bar. */
  step(what: string): void;
  done(): void;
}

const NO_BAR: Bar = { plan: () => undefined, step: () => undefined, done: () => undefined };

/** The time left, e.g. "4s", "2m05s"; "—" (no estimate) until a step has finished, never "NaN" or "Infinity". */
export function etaText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** `unit` names the steps ("runs", "measurements"). */
async function progressBar(enabled: boolean, unit: string): Promise<Bar> {
  if (!enabled) return NO_BAR;
  // Loaded only for a terminal: a piped run does not pay for it.
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    {
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
      etaBuffer: 5,
      format: `{bar} {value}/{total} ${unit} · ETA {left} · {what}`,
    },
    Presets.shades_classic,
  );
  let started = false;
  let done = 0;
  let total = 0;
  const t0 = performance.now();
  return {
    plan: (n) => {
      total = n;
      bar.start(n, 0, { what: '', left: '—' });
      started = true;
    },
    step: (what) => {
      const eta = done === 0 ? '—' : etaText(((performance.now() - t0) / done) * (total - done));
      bar.update(done++, { what, left: eta });
    },
    done: () => {
      if (started) bar.stop();
    },
  };
}

/** membench run: a step per run, warm-ups included, named by the command measured. */
export async function progressReporter(enabled: boolean): Promise<Pick<BenchmarkHooks, 'onPlan' | 'onRunStart'> & { done: () => void }> {
  const bar = await progressBar(enabled, 'runs');
  if (bar === NO_BAR) return { done: bar.done };
  return {
    onPlan: bar.plan,
    // The measured command's own display: with baselines or scans, indices past the user's commands are not theirs.
    onRunStart: (_ci, i, total, warmup, command) =>
      bar.step(`${warmup ? 'warm-up' : 'run'} ${i + 1}/${total}: ${commandLine(command).slice(0, 30)}`),
    done: bar.done,
  };
}

/** membench suite: a step per measurement (a size of an in-process benchmark, or a repeat of a command one). */
export async function suiteProgress(enabled: boolean): Promise<Pick<SuiteHooks, 'onPlan' | 'onMeasure'> & { done: () => void }> {
  const bar = await progressBar(enabled, 'measurements');
  if (bar === NO_BAR) return { done: bar.done };
  return {
    onPlan: bar.plan,
    onMeasure: (name, r, runs, size) => bar.step(`${name.slice(0, 40)}: run ${r + 1}/${runs}${size === null ? '' : `, size ${size}`}`),
    done: bar.done,
  };
}
