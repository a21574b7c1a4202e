// Suite files: finding them (membench.config.*, *.membench.*), loading them (JSON or an ES module), and
// validating them once into readonly definitions, with one-line messages that name the file and the field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { errnoCode, usageError } from '../errors.js';
import type { CommandSpec } from '../run/run-once.js';
import { parseByteRange, rangeFromPair, type ByteRange } from './expect.js';
import { importModuleExport, importSuiteValue } from './load-module.js';

/** Builds what is measured for size n and returns it; the harness keeps the return value alive while measuring. */
export type SizeFunction = (n: number) => unknown;

export const CONFIG_FILE_NAMES = [
  'membench.config.js',
  'membench.config.mjs',
  'membench.config.cjs',
  'membench.config.json',
  'membench.config.ts',
  'membench.config.mts',
] as const;
const SUITE_FILE_PATTERN = /\.membench\.(js|mjs|cjs|json|ts|mts)$/;
const DEFAULT_RUNS = 5;
const DEFAULT_TIMEOUT_MS = 60_000;

interface BenchmarkBase {
  readonly name: string;
  /** Absolute path of the suite file that defines it. */
  readonly file: string;
  readonly sizes: readonly number[];
  readonly unit: string;
  readonly runs: number;
  readonly expectPerUnit: ByteRange | null;
  readonly timeoutMs: number;
}

export interface InProcessDefinition extends BenchmarkBase {
  readonly kind: 'in-process';
  readonly fn: SizeFunction;
  readonly warmup: boolean;
}

export interface CommandDefinition extends BenchmarkBase {
  readonly kind: 'command';
  /** The command as written, {n} included. */
  readonly template: string;
  readonly metric: 'treePeakBytes' | 'treeAnonPeakBytes';
  readonly commandFor: (n: number) => CommandSpec;
}

export type BenchmarkDefinition = InProcessDefinition | CommandDefinition;

export interface SuiteDefinition {
  readonly files: readonly string[];
  readonly benchmarks: readonly BenchmarkDefinition[];
}

/** Suite files in `dir`: membench.config.* first, then *.membench.*, each group sorted by name. */
export function discoverSuiteFiles(dir: string): string[] {
  const names = readdirSync(dir);
  const config = CONFIG_FILE_NAMES.filter((n) => names.includes(n));
  const suites = names.filter((n) => SUITE_FILE_PATTERN.test(n)).sort();
  return [...config, ...suites].map((n) => resolve(dir, n));
}

const sizesSchema = z
  .array(z.number({ error: 'must be numbers' }).int('must be whole numbers').nonnegative('must be ≥ 0').max(Number.MAX_SAFE_INTEGER))
  .min(1, 'is empty: give at least one size, e.g. sizes: [10, 100]')
  .refine((s) => new Set(s).size === s.length, 'lists a size twice');
const expectSchema = z.strictObject({ perUnit: z.union([z.string(), z.tuple([z.number(), z.number()])]).optional() });
const commonShape = {
  name: z.string().min(1, 'must not be empty'),
  sizes: sizesSchema,
  unit: z.string().min(1).optional(),
  expect: expectSchema.optional(),
  runs: z.number().int().min(1).max(1000).optional(),
};
const inProcessSchema = z.strictObject({
  ...commonShape,
  fn: z.custom<SizeFunction>((v) => typeof v === 'function', 'must be a function (n) => value'),
  warmup: z.boolean().optional(),
});
const moduleSchema = z.strictObject({
  ...commonShape,
  module: z.string().min(1),
  export: z.string().min(1).optional(),
  warmup: z.boolean().optional(),
});
const commandSchema = z.strictObject({
  ...commonShape,
  cmd: z.union([z.string().min(1, 'must not be empty'), z.array(z.string()).min(1, 'must not be empty')]),
  metric: z.enum(['treePeakBytes', 'treeAnonPeakBytes']).optional(),
  cwd: z.string().optional(),
});
const suiteSchema = z.strictObject({
  name: z.string().optional(),
  runs: z.number().int().min(1).max(1000).optional(),
  timeoutMs: z.number().positive().optional(),
  benchmarks: z.array(z.unknown()).min(1, 'is empty: define at least one benchmark'),
});

const show = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
};

/** The first zod issue as "at.path: message". */
function firstIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0]!;
  const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`
      : issue.message;
  return `${prefix}${at}: ${message}`.replace(/^\./, '');
}

function importFailure(file: string, e: unknown): never {
  const err = e as Error | undefined;
  const ext = extname(file);
  if ((ext === '.ts' || ext === '.mts') && (errnoCode(e) === 'ERR_UNKNOWN_FILE_EXTENSION' || err instanceof SyntaxError)) {
    throw usageError(
      `cannot load ${show(file)}: Node ${process.version} does not run TypeScript files`,
      `compile it first (e.g. npx tsc) and give the .js/.mjs file, or name a JavaScript suite file`,
    );
  }
  const first = String(err?.message ?? e).split('\n')[0];
  if (err instanceof SyntaxError && /export|import/.test(first ?? '') && ext === '.js') {
    throw usageError(
      `cannot load ${show(file)}: ${first}`,
      'an ES module needs the .mjs extension or "type": "module" in the nearest package.json',
    );
  }
  throw usageError(
    `cannot load ${show(file)}: ${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${first}`,
    'fix the file so that it loads with node on its own',
  );
}

/** The raw value a suite file exports (its default export, or the module itself), unvalidated. */
async function readSuiteFile(file: string): Promise<unknown> {
  if (!existsSync(file)) throw usageError(`no such suite file: ${show(file)}`);
  if (extname(file) === '.json') {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw usageError(`cannot load ${show(file)}: ${(e as Error).message}`, 'it must be a JSON object with a "benchmarks" array');
    }
  }
  try {
    return await importSuiteValue(file);
  } catch (e) {
    importFailure(file, e);
  }
}

async function moduleFunction(file: string, at: string, ref: z.infer<typeof moduleSchema>): Promise<SizeFunction> {
  let fn: unknown;
  try {
    fn = await importModuleExport(file, ref.module, ref.export);
  } catch (e) {
    throw usageError(`${show(file)}: ${at}.module: cannot load ${ref.module}: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
  }
  if (typeof fn !== 'function')
    throw usageError(`${show(file)}: ${at}.export: ${ref.module} has no function export named ${JSON.stringify(ref.export ?? 'default')}`);
  return fn as SizeFunction;
}

function expectOf(file: string, at: string, expect: z.infer<typeof expectSchema> | undefined): ByteRange | null {
  if (expect?.perUnit === undefined) return null;
  try {
    return typeof expect.perUnit === 'string' ? parseByteRange(expect.perUnit) : rangeFromPair(expect.perUnit);
  } catch (e) {
    throw usageError(`${show(file)}: ${at}.expect.perUnit: ${(e as Error).message}`);
  }
}

/** Spec of the command for size n: {n} replaced; a string runs through /bin/sh -c, an array is exec'd. */
function commandTemplate(
  file: string,
  at: string,
  cmd: string | readonly string[],
  cwd: string,
): { template: string; commandFor: (n: number) => CommandSpec } {
  const template = typeof cmd === 'string' ? cmd : cmd.join(' ');
  if (!template.includes('{n}'))
    throw usageError(`${show(file)}: ${at}.cmd never uses {n}`, 'put {n} where the size goes, e.g. "python3 jobs.py {n}"');
  const fill = (s: string, n: number): string => s.replaceAll('{n}', String(n));
  const commandFor =
    typeof cmd === 'string'
      ? (n: number): CommandSpec => ({ display: fill(cmd, n), argv: ['/bin/sh', '-c', fill(cmd, n)], shell: true, cwd })
      : (n: number): CommandSpec => ({
          display: cmd.map((a) => fill(a, n)).join(' '),
          argv: cmd.map((a) => fill(a, n)),
          shell: false,
          cwd,
        });
  return { template, commandFor };
}

async function definitionsOf(file: string, raw: unknown): Promise<BenchmarkDefinition[]> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw usageError(`${show(file)} does not export a suite`, 'export default { benchmarks: [...] } (or defineSuite({ … }) from membench)');
  }
  const suite = suiteSchema.safeParse(raw);
  if (!suite.success) throw usageError(`${show(file)}: ${firstIssue(suite.error, '')}`);
  const runs = suite.data.runs ?? DEFAULT_RUNS;
  const timeoutMs = suite.data.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const out: BenchmarkDefinition[] = [];
  for (const [i, item] of suite.data.benchmarks.entries()) {
    const label =
      typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string'
        ? ` (${JSON.stringify((item as { name: string }).name)})`
        : '';
    const at = `benchmarks[${i}]${label}`;
    if (typeof item !== 'object' || item === null) throw usageError(`${show(file)}: ${at} is not an object`);
    const parse = <T extends z.ZodType>(schema: T): z.infer<T> => {
      const r = schema.safeParse(item);
      if (!r.success) throw usageError(`${show(file)}: ${firstIssue(r.error, at)}`);
      return r.data;
    };
    // What every kind of benchmark shares: its name, sizes, unit, repeats, timeout and expected cost per unit.
    const common = (b: z.infer<z.ZodObject<typeof commonShape>>) => ({
      name: b.name,
      file,
      sizes: b.sizes,
      unit: b.unit ?? 'unit',
      runs: b.runs ?? runs,
      timeoutMs,
      expectPerUnit: expectOf(file, at, b.expect),
    });
    if ('cmd' in item) {
      const b = parse(commandSchema);
      const cwd = resolve(dirname(file), b.cwd ?? '.');
      out.push({ kind: 'command', ...common(b), metric: b.metric ?? 'treePeakBytes', ...commandTemplate(file, at, b.cmd, cwd) });
    } else if ('fn' in item) {
      const b = parse(inProcessSchema);
      out.push({ kind: 'in-process', ...common(b), fn: b.fn, warmup: b.warmup ?? false });
    } else if ('module' in item) {
      const b = parse(moduleSchema);
      const fn = await moduleFunction(file, at, b);
      out.push({ kind: 'in-process', ...common(b), fn, warmup: b.warmup ?? false });
    } else {
      throw usageError(
        `${show(file)}: ${at} says nothing to run`,
        'give fn: (n) => value (in-process), cmd: "… {n}" (a command), or module + export (JSON suites)',
      );
    }
  }
  return out;
}

/** Loads and validates suite files; benchmark names must be unique across them. */
export async function loadSuites(files: readonly string[]): Promise<SuiteDefinition> {
  const benchmarks: BenchmarkDefinition[] = [];
  for (const file of files) {
    for (const b of await definitionsOf(file, await readSuiteFile(file))) {
      const twin = benchmarks.find((o) => o.name === b.name);
      if (twin)
        throw usageError(
          `benchmark name ${JSON.stringify(b.name)} is used twice (${show(twin.file)} and ${show(b.file)})`,
          'names identify benchmarks in baselines: make them unique',
        );
      benchmarks.push(b);
    }
  }
  return { files: [...files], benchmarks };
}

/** Which files to load: those given, or those found in `cwd`; a usage error when there are none. */
export function resolveSuiteFiles(given: readonly string[], cwd: string): string[] {
  if (given.length > 0) return given.map((f) => resolve(cwd, f));
  const found = discoverSuiteFiles(cwd);
  if (found.length === 0) {
    throw usageError(
      `no suite file in ${cwd}`,
      'create membench.config.js (or NAME.membench.mjs) exporting { benchmarks: [...] }, or give its path: membench suite FILE',
    );
  }
  return found;
}
