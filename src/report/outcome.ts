// How a run ended, in words: the sentences of analyze/outcome-words.ts, re-exported for the renderers.
export { describeOutcome, describeRun, instanceLines } from '../analyze/outcome-words.js';
