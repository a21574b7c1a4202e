// The suite result document (`membench suite --json`, baselines): its schema lives with the other documents'
// in src/document/suite.ts; re-exported here for the suite's own modules.
export * from '../document/suite.js';
