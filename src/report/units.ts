// The renderers' unit formatting: the shared low-level helpers in src/units.ts, re-exported for report/ and live/.
export { formatBytes, formatMs, formatPercent, formatSize, KIB, MIB } from '../units.js';
