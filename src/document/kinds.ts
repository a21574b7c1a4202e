// The envelope's names without zod: what a writer on a quick start-up path (watch, whose Ctrl-C handler must be in
// place fast) needs to label its document. The zod side of the envelope is envelope.ts.
import { VERSION } from '../version.js';

export const TOOL_NAME = 'membench';
/** The envelope's `tool`: this build, as every document names its writer. */
export const THIS_TOOL: { readonly name: typeof TOOL_NAME; readonly version: string } = { name: TOOL_NAME, version: VERSION };

export const SUITE_KIND = 'membench-suite';
export const PROFILE_KIND = 'membench-profile';
export const WATCH_KIND = 'membench-watch';
/** Documents no command reads back (their readers are jq and the like), with the same envelope. */
export const TOP_KIND = 'membench-top';
export const SYSTEM_KIND = 'membench-system';
export const COMPARISON_KIND = 'membench-comparison';
export const PROFILE_DIFF_KIND = 'membench-profile-diff';
/** top and system snapshots: 2 replaced `schema: "membench-top/1"` (or system) with the envelope. */
export const TOP_SCHEMA_VERSION = 2;
export const SYSTEM_SCHEMA_VERSION = 2;

/** Watch recordings: 2 added the envelope (`kind: 'membench-watch'`) and unit-last names (`intervalAskedMs`). */
export const WATCH_SCHEMA_VERSION = 2;
/** What version-1 recordings carried instead of the envelope's kind and version. */
export const WATCH_V1_SCHEMA = 'membench-watch/1';
