// The heap profilers `membench profile --with` can run: named beside the profile document (src/document/profilers.ts).
export { PROFILERS, type Profiler } from '../document/profilers.js';
