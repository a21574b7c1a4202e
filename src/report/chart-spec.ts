// The shape of one chart on the HTML page (built by html-model.ts and html-detail.ts, drawn by html-client.ts).

export type MetricKey = 'tree' | 'rss' | 'pss' | 'uss';

export interface ChartSeries {
  readonly run: number;
  readonly metric: MetricKey;
  readonly label: string;
  /** CSS custom property holding the colour, so light and dark mode differ without re-rendering. */
  readonly colorVar: string;
  readonly dash: readonly number[];
  readonly width: number;
}

export interface ChartPeak {
  readonly tMs: number;
  readonly bytes: number;
  readonly text: string;
}

export interface ChartRun {
  readonly label: string;
  /** Index into the chart's timesMs of this run's time axis. */
  readonly times: number;
  /** The run's points are at timesMs[times][from … from + points − 1]. */
  readonly from: number;
  readonly points: number;
  /** Columns by metric, bytes, one value per point; absent when the metric was never sampled on any plotted run. */
  readonly columns: Partial<Record<MetricKey, readonly (number | null)[]>>;
  readonly peak: ChartPeak | null;
}

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** runs: runs overlaid, one line per run × metric; processes: one line per process of one run. */
  readonly kind: 'runs' | 'processes';
  readonly metrics: readonly MetricKey[];
  readonly metricLabels: Readonly<Record<MetricKey, string>>;
  /**
   * Time axes (ms since spawn), each once: one per plotted run on a runs chart; on a per-process chart one
   * for all its lines (each process's line a stretch of it), so the page does not carry a copy per line.
   */
  readonly timesMs: readonly (readonly number[])[];
  readonly runs: readonly ChartRun[];
  /** uPlot series after x, in order run-major: runs[0] × metrics, runs[1] × metrics… */
  readonly series: readonly ChartSeries[];
  /** Index into runs of the run whose peak is labelled in the plot. */
  readonly topPeakRun: number | null;
}
