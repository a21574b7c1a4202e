// What the parent and an in-process harness child exchange: the job (argv) and the report (one JSON line on fd 3).

export interface HarnessJob {
  readonly file: string;
  readonly benchmark: string;
  readonly size: number;
  readonly warmup: boolean;
}

export type HarnessReport =
  | {
      readonly ok: true;
      readonly heapUsedBytes: number;
      readonly externalBytes: number;
      readonly arrayBuffersBytes: number;
      readonly rssBytes: number;
      readonly peakRssBytes: number | null;
      readonly durationMs: number;
      readonly gc: boolean;
    }
  | { readonly ok: false; readonly phase: 'load' | 'run'; readonly message: string; readonly where: string | null };

/** The report goes on fd 3, so whatever the benchmark prints on stdout or stderr cannot corrupt it. */
export const REPORT_FD = 3;
