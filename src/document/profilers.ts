// The heap profilers `membench profile --with` can run (a leaf module: the CLI declares its flags without loading zod).
export const PROFILERS = ['massif', 'heaptrack', 'v8', 'python'] as const;
export type Profiler = (typeof PROFILERS)[number];
