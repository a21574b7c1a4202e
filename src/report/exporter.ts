// The one exporter interface, for run and suite documents alike: a format, named by the flag that asks for it,
// rendered from the document (and, for suites, the comparison with a baseline). Adding a format is adding a file
// with one Exporter and a line in run-exporters.ts or suite-exporters.ts.
export interface Exporter<Doc, Context = void> {
  /** The flag's name without dashes: "markdown", "csv", "bmf" (the run command puts --export- before it). */
  readonly flag: string;
  /** What the format holds, in a few words. */
  readonly describe: string;
  readonly render: (doc: Doc, context: Context) => string;
}
