// The HTML report as text: structure, self-containedness, exact peak figures, escaping, optional diagnosis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MembenchResultSchema, type MembenchResult, type RunResult } from '../../src/result.js';
import { escapeHtml, htmlReport } from '../../src/report/html.js';
import { buildReport, MAX_PLOTTED_RUNS, plottedRuns, runTimesMs } from '../../src/report/html-model.js';
import type { ClientData } from '../../src/report/html-client.js';
import { formatBytes } from '../../src/report/units.js';
import { syntheticBenchmark, syntheticDoc, syntheticRun } from '../helpers/result-doc.js';

const MIB = 1024 * 1024;
const one = (): MembenchResult =>
  syntheticDoc([syntheticBenchmark('memfix hold 50 300', [syntheticRun(0, 52_948_992), syntheticRun(1, 52_887_552)])]);
const page = (doc: MembenchResult, name: string | null = null): string => htmlReport([{ name, doc }]);

/** The chart data embedded in the page, as the browser script will read it. */
function embeddedData(html: string): ClientData {
  const m = /<script type="application\/json" id="membench-data">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'data script present and free of "<"');
  return JSON.parse(m[1]!) as ClientData;
}

test('sampling sentence: SCHED_FIFO granted, refused, and Σ RSS from carried statm readings are said; nothing when not used', () => {
  const doc = one();
  assert.doesNotMatch(page(doc), /SCHED_FIFO|--realtime|carried statm/);
  const [a, b] = doc.benchmarks[0]!.runs as RunResult[];
  const granted = {
    ...a!,
    sampling: {
      ...a!.sampling!,
      samplerSchedPolicy: 'fifo' as const,
      realtimeAsked: true,
      realtimeRefused: null,
      maxStatmPerTick: 2,
      rssSumCarriedTicks: a!.sampling!.ticks,
    },
  };
  const refused = {
    ...b!,
    sampling: {
      ...b!.sampling!,
      samplerSchedPolicy: 'other' as const,
      realtimeAsked: true,
      realtimeRefused: 'chrt: Operation not permitted',
      maxStatmPerTick: 2,
      rssSumCarriedTicks: 0,
    },
  };
  const html = page(syntheticDoc([syntheticBenchmark('memfix hold 50 300', [granted, refused])]));
  assert.match(html, /The sampler&#39;s fast thread ran SCHED_FIFO \(--realtime\) in 1 of 2 runs\./);
  assert.match(html, /--realtime was refused in 1 of 2 runs \(chrt: Operation not permitted\); they were sampled at normal priority\./);
  const share = a!.sampling!.ticks / (a!.sampling!.ticks + b!.sampling!.ticks);
  assert.match(
    html,
    new RegExp(
      `Σ RSS used carried statm readings on ${(share * 100).toFixed(1).replace('.', '\\.')} % of ticks \\(--max-statm-per-tick 2\\)`,
    ),
  );
});

test('synthetic documents are valid result documents', () => {
  assert.equal(MembenchResultSchema.safeParse(one()).success, true);
});

test('one page: doctype, title, plot, legend, tables, and exactly three inline scripts', () => {
  const html = page(one());
  assert.match(html, /^<!doctype html>\n<html lang="en">/);
  assert.equal((html.match(/<title>/g) ?? []).length, 1);
  assert.match(html, /<title>membench: memfix hold 50 300<\/title>/);
  assert.match(html, /<section class="command" id="c1">/);
  assert.match(html, /<div class="plot" id="plot-c1" role="img" aria-label="Memory in MiB over time in seconds/);
  assert.match(html, /<table class="legend" data-chart="c1"/);
  assert.match(html, /<table class="numbers">/);
  assert.match(html, /<table class="runs">/);
  assert.equal((html.match(/<script\b/gi) ?? []).length, 3);
  assert.equal((html.match(/<\/script/gi) ?? []).length, 3);
  assert.match(html, /prefers-color-scheme: dark/);
  assert.match(html, /Memory \(MiB, y\) over time since the command started \(s, x\)/);
  // context in words, with the outcome sentence of the terminal report
  assert.match(html, /2 measured runs, through \/bin\/sh -c, on Linux 6\.1\.0-test/);
  assert.match(html, /All 2 runs exited 0\./);
  assert.match(html, /Sampling was asked every 1\.00 ms and achieved 1\.05 ms on average/);
  assert.doesNotMatch(html, /Tree peak by command/, 'no comparison for a single command');
  const data = embeddedData(html);
  assert.equal(data.charts.length, 1);
  assert.equal(data.charts[0]!.runs.length, 2);
  assert.deepEqual(data.charts[0]!.metrics, ['tree', 'rss', 'pss', 'uss']);
  assert.equal(data.charts[0]!.series.length, 8);
});

test('self-contained: nothing is loaded from elsewhere', () => {
  const html = page(one());
  assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i, 'no http(s) or protocol-relative src/href');
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i);
  assert.doesNotMatch(html, /<link[^>]*rel="stylesheet"/i);
  assert.doesNotMatch(html, /@import|url\(\s*["']?https?:/i);
  assert.match(html, /var uPlot=function\(\)/, 'uPlot inlined');
  assert.match(html, /\.uplot \{font-family/, "uPlot's stylesheet inlined");
});

test('the peak shown is the JSON value exactly: highest tree peak of the measured runs', () => {
  const doc = one();
  const html = page(doc);
  const m = /<strong class="peak-value" data-peak-bytes="(\d+)">([^<]+)<\/strong> \(([\d,]+) bytes, run (\d)/.exec(html);
  assert.ok(m, 'peak line present');
  assert.equal(Number(m[1]), doc.benchmarks[0]!.runs[0]!.peaks!.treeBytes);
  assert.equal(m[2], formatBytes(52_948_992));
  assert.equal(m[2], '50.5 MiB');
  assert.equal(m[3], '52,948,992');
  assert.equal(m[4], '1');
  const chart = embeddedData(html).charts[0]!;
  assert.equal(chart.topPeakRun, 0);
  assert.deepEqual(chart.runs[0]!.peak, { tMs: 101, bytes: 52_948_992, text: '50.5 MiB' });
});

test('a command or file name holding </script> or markup cannot break out of the page', () => {
  const evil = `echo '</script><script>alert(1)</script>' "<b>&amp;"`;
  const doc = syntheticDoc([syntheticBenchmark(evil, [syntheticRun(0, 10 * MIB)])]);
  const html = htmlReport([
    { name: '</script><img src=x>.json', doc },
    { name: 'b.json', doc: one() },
  ]);
  assert.equal((html.match(/<script\b/gi) ?? []).length, 3, 'no script element injected');
  assert.equal((html.match(/<\/script/gi) ?? []).length, 3);
  assert.doesNotMatch(html, /<img src=x>/);
  assert.ok(html.includes(escapeHtml(evil)), 'command shown escaped');
  assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(1)'));
  const data = embeddedData(html);
  assert.equal(data.charts[0]!.title, 'Command 1 (</script><img src=x>.json)', 'JSON round-trips exactly');
});

test('several commands: comparison bars with min, median and max of the tree peak, and the ratio to the smallest', () => {
  const doc = syntheticDoc([
    syntheticBenchmark('small', [syntheticRun(0, 20 * MIB), syntheticRun(1, 21 * MIB), syntheticRun(2, 22 * MIB)]),
    syntheticBenchmark('big', [syntheticRun(0, 50 * MIB), syntheticRun(1, 60 * MIB), syntheticRun(2, 70 * MIB)]),
    syntheticBenchmark('tree', [syntheticRun(0, 40 * MIB)]),
  ]);
  const html = page(doc);
  assert.match(html, /<title>membench: 3 commands compared<\/title>/);
  assert.match(html, /<svg class="bars" viewBox="0 0 860 \d+" role="img"/);
  assert.equal((html.match(/<g class="bar">/g) ?? []).length, 3);
  assert.match(html, /median 60\.0 MiB · min 50\.0 MiB · max 70\.0 MiB · 2\.86× the smallest/);
  assert.match(html, /median 21\.0 MiB · min 20\.0 MiB · max 22\.0 MiB · smallest/);
  assert.match(html, />tree peak \(MiB\)<\/text>/);
  assert.match(html, /Command 1 has the smallest median peak \(21\.0 MiB\)/);
  assert.equal(embeddedData(html).charts.length, 3);
});

test('many runs: at most 8 plotted, always including the lowest, median and highest peaks', () => {
  const runs = Array.from({ length: 20 }, (_, i) => syntheticRun(i, (30 + ((i * 7) % 20)) * MIB, { points: 10 }));
  const plotted = plottedRuns(runs);
  assert.equal(plotted.length, MAX_PLOTTED_RUNS);
  const peaks = runs.map((r) => r.peaks!.treeBytes!).sort((a, b) => a - b);
  const shown = plotted.map((r) => r.peaks!.treeBytes!);
  for (const p of [peaks[0]!, peaks[10]!, peaks[19]!]) assert.ok(shown.includes(p), `${p / MIB} MiB plotted`);
  const html = page(syntheticDoc([syntheticBenchmark('many', runs)]));
  assert.match(html, /Showing 8 of 20 runs/);
});

test('a run diagnosis is shown when present and its column absent otherwise', () => {
  assert.doesNotMatch(page(one()), /<th>diagnosis<\/th>/);
  const doc = one();
  const leak = (verdict: 'leak' | 'no-leak', reason: string) => ({
    verdict,
    slopeBytesPerSec: 0,
    confidence: null,
    reason,
    steadyFromMs: 10,
    steadyToMs: 190,
    baselineBytes: MIB,
    endLowBytes: MIB,
  });
  Object.assign(doc.benchmarks[0]!.runs[1]!, {
    diagnosis: { leak: leak('leak', 'grows 1.2 MiB/s'), fragmentation: { signals: [] }, breakdown: null },
  });
  Object.assign(doc.benchmarks[0]!.runs[0]!, {
    diagnosis: { leak: leak('no-leak', '<flat>'), fragmentation: { signals: [] }, breakdown: null },
  });
  doc.benchmarks[0]!.runs.push(
    Object.assign(syntheticRun(2, 50 * MIB), {
      diagnosis: {
        leak: { verdict: 'no-leak', reason: 'Σ RSS came back to its baseline', slopeBytesPerSec: 0 },
        fragmentation: {
          signals: [
            { id: 'anon-not-returned', observed: true, evidence: 'anon stayed 40 MiB after free' },
            { id: 'heap-dominates', observed: false, evidence: 'heap is 2 %' },
          ],
        },
        breakdown: null,
      },
    }),
  );
  const html = page(doc);
  assert.match(html, /<th>diagnosis<\/th>/);
  assert.match(html, /<td class="text diagnosis">leak: grows 1\.2 MiB\/s<\/td>/);
  assert.match(html, /<td class="text diagnosis">no leak: &lt;flat&gt;<\/td>/);
  assert.match(
    html,
    /<td class="text diagnosis">no leak: Σ RSS came back to its baseline · fragmentation signs: anon stayed 40 MiB after free<\/td>/,
  );
});

test('failed and unsampled runs: said in words, shown in the run table, nothing plotted for them', () => {
  const failed = syntheticRun(0, 5 * MIB, { exitCode: 3 });
  const neverStarted = {
    ...syntheticRun(1, MIB),
    outcome: { state: 'failed-to-start' as const, message: 'command not found: nope' },
    peaks: null,
    final: null,
    sampling: null,
    timeline: null,
  };
  const doc = syntheticDoc([syntheticBenchmark('flaky', [failed, neverStarted])]);
  assert.equal(MembenchResultSchema.safeParse(doc).success, true);
  const html = page(doc);
  assert.match(html, /Run 1 exited with code 3; run 2 failed to start: command not found: nope\./);
  assert.match(html, /<tr class="bad uncounted"><th>run 1<\/th><td class="text">✗ exited with code 3/);
  const model = buildReport([{ name: null, doc }], 'test');
  assert.equal(model.commands[0]!.chart!.runs.length, 1, 'only the sampled run is plotted');
  assert.equal(model.commands[0]!.metricRows.length, 0, 'no statistics when no run counts');
});

test("--concurrency: the instances that did not exit 0 are listed under their run's outcome, only when they did not all end alike", () => {
  const mixed = {
    ...syntheticRun(0, 30 * MIB),
    outcome: { state: 'signaled' as const, signal: 'SIGTERM' },
    instances: [
      { instance: 1, pid: 4101, outcome: { state: 'exited' as const, exitCode: 0 }, wallMs: 300 },
      { instance: 2, pid: 4102, outcome: { state: 'exited' as const, exitCode: 3 }, wallMs: 2 },
      { instance: 3, pid: 4103, outcome: { state: 'signaled' as const, signal: 'SIGTERM' }, wallMs: 2 },
    ],
  };
  const alike = {
    ...syntheticRun(1, 30 * MIB),
    instances: [1, 2, 3].map((i) => ({ instance: i, pid: 4200 + i, outcome: { state: 'exited' as const, exitCode: 0 }, wallMs: 300 })),
  };
  const doc = syntheticDoc([syntheticBenchmark('memfix hold 10 300', [mixed, alike])]);
  assert.equal(MembenchResultSchema.safeParse(doc).success, true);
  const html = page(doc);
  assert.match(
    html,
    /<td class="text">✗ killed by SIGTERM<ul class="instances"><li>instance 2\/3 \(pid 4102\): exited with code 3<\/li><li>instance 3\/3 \(pid 4103\): killed by SIGTERM<\/li><li>the other instance exited 0<\/li><\/ul><\/td>/,
  );
  assert.doesNotMatch(
    html,
    /instance 1\/3|pid 420\d/,
    'an instance that exited 0 is counted, not listed; instances that all ended alike are not listed',
  );
  assert.equal(html.match(/<ul class="instances">/g)?.length, 1);
});

test('an interrupted document says so; downsampled timelines are noted', () => {
  const doc = one();
  doc.context.complete = false;
  doc.benchmarks[0]!.runs[0]!.timeline!.downsampled = true;
  const html = page(doc);
  assert.match(html, /Interrupted: this document was written part-way/);
  assert.match(html, /Timelines were downsampled: each plotted point is the maximum of its bucket/);
});

test('an empty document is refused rather than rendered as an empty page', () => {
  assert.throws(() => page(syntheticDoc([])), /nothing to report/);
});

/** A run of a tree: the parent and three children with per-process series, and a breakdown near the peak. */
function treeRun(): ReturnType<typeof syntheticRun> {
  const run = syntheticRun(0, 60 * MIB);
  const ramp = (peak: number): (number | null)[] =>
    run.timeline!.tMs.map((_, i) => (i < 5 ? null : Math.round((peak * Math.min(i, 50)) / 50 / 4096) * 4096));
  const g = (kind: 'heap' | 'anon' | 'library', name: string, rss: number) => ({
    kind,
    name,
    mappings: 1,
    sizeBytes: rss * 2,
    rssBytes: rss,
    pssBytes: rss,
    ussBytes: rss,
    swapBytes: 0,
  });
  return Object.assign(run, {
    processSeries: {
      source: 'status-vmrss' as const,
      readsPerPoint: 2,
      tMs: run.timeline!.tMs,
      processes: [20 * MIB, 19 * MIB, 18 * MIB]
        .map((peak, i) => ({ pid: 101 + i, name: `work<${i}>`, peakBytes: peak, rssBytes: ramp(peak) }))
        .concat([{ pid: 100, name: 'parent', peakBytes: MIB, rssBytes: run.timeline!.tMs.map(() => MIB) }]),
      other: null,
    },
    diagnosis: {
      leak: {
        verdict: 'no-leak' as const,
        slopeBytesPerSec: 0,
        confidence: null,
        reason: 'memory came back',
        steadyFromMs: 10,
        steadyToMs: 190,
        baselineBytes: MIB,
        endLowBytes: MIB,
      },
      fragmentation: { signals: [{ id: 'heap-dominates' as const, observed: true, evidence: 'heap is 75 %', figures: {} }] },
      breakdown: {
        atMs: 100,
        treeBytes: 60 * MIB,
        processCount: 4,
        unreadable: 0,
        captures: 2,
        readMs: 1,
        totalReadMs: 2,
        largestProcess: {
          pid: 101,
          name: 'work<0>',
          rssBytes: 20 * MIB,
          groups: [g('heap', '[heap]', 15 * MIB), g('anon', 'anonymous mmap', 4 * MIB), g('library', 'libc.so.6', MIB)],
        },
        tree: {
          rssBytes: 58 * MIB,
          pssBytes: 57 * MIB,
          ussBytes: 56 * MIB,
          swapBytes: 0,
          groups: [g('heap', '[heap]', 45 * MIB), g('anon', 'anonymous mmap', 10 * MIB), g('library', 'libc.so.6', 3 * MIB)],
        },
      },
    },
  });
}

test('a tree: per-process chart with a legend row per process (pid and name), its table, the breakdown in a bar, words and a table', () => {
  const doc = syntheticDoc([syntheticBenchmark('tree', [treeRun()])]);
  assert.equal(MembenchResultSchema.safeParse(doc).success, true, 'still a valid document');
  const html = page(doc);
  const data = embeddedData(html);
  assert.deepEqual(
    data.charts.map((c) => [c.id, c.kind]),
    [
      ['c1', 'runs'],
      ['c1p', 'processes'],
    ],
  );
  const pc = data.charts[1]!;
  assert.deepEqual(
    pc.series.map((s) => s.label),
    ['pid 101 work<0>', 'pid 102 work<1>', 'pid 103 work<2>', 'pid 100 parent'],
  );
  // each process drawn over its own life only: the children from their first read on
  const tMs = treeRun().processSeries!.tMs;
  assert.deepEqual(pc.timesMs, [tMs], 'one time axis for every line, carried once');
  assert.deepEqual(runTimesMs(pc, pc.runs[0]!), tMs.slice(5));
  assert.deepEqual(runTimesMs(pc, pc.runs[3]!), tMs);
  assert.equal(pc.runs[0]!.columns.rss!.length, 95);
  const legend = /<table class="legend" data-chart="c1p"[\s\S]*?<\/table>/.exec(html)![0];
  assert.match(legend, /pid 101 work&lt;0&gt;<\/button><\/th><td data-series="1" data-max="20\.0 MiB">/);
  assert.match(html, /<table class="processes">[\s\S]*<th>pid 102 work&lt;1&gt;<\/th><td>19\.0 MiB<\/td>/);
  assert.match(
    html,
    /4 processes had their RSS \(VmRSS of \/proc\/PID\/status\) read over time, each point the highest of up to 2 reads\./,
  );
  // breakdown: largest process and tree, a segment per kind sized by its share, said in words
  assert.equal(html.match(/<svg class="breakdown"/g)?.length, 2);
  assert.match(html, /<g class="seg" data-kind="heap"><title>heap: 15\.0 MiB \(75\.0 %\)<\/title>\n<rect x="0\.0" y="2" width="645\.0"/);
  assert.match(
    html,
    /Near the peak \(read at 100\.0 ms, tree 60\.0 MiB\), work&lt;0&gt; \(pid 101\) held 20\.0 MiB resident: 75 % heap \(15\.0 MiB\), 20 % anonymous mmap \(4\.0 MiB\), 5 % shared libraries \(1\.0 MiB\)\./,
  );
  assert.match(html, /Leak verdict: no leak — memory came back\./);
  assert.match(html, /<li class="seen"><strong>seen:<\/strong> heap is 75 %<\/li>/);
  assert.match(html, /<table class="breakdown">[\s\S]*<th>\[heap\]<\/th><td>15\.0 MiB<\/td>/);
});

test('documents older than per-process series (and single-process runs) render without that chart', () => {
  const html = page(one());
  assert.deepEqual(
    embeddedData(html).charts.map((c) => c.kind),
    ['runs'],
  );
  assert.doesNotMatch(html, /Memory per process/);
});
