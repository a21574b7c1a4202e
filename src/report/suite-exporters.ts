// Every suite export format, one file each; adding a format is adding a file and a line here.
import { exporter as bmf } from './bmf.js';
import { exporter as csv } from './csv.js';
import { exporter as ghBenchmark } from './gh-benchmark.js';
import { exporter as markdown } from './markdown.js';
import type { SuiteExporter } from './suite-rows.js';

export const SUITE_EXPORTERS: readonly SuiteExporter[] = [markdown, csv, bmf, ghBenchmark];
