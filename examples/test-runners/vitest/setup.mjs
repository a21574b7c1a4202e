// vitest setupFiles entry: adds toPeakLessThan and toRetainLessThan to expect.
import { expect } from 'vitest';
import { memoryMatchers } from 'membench/vitest';

expect.extend(memoryMatchers);
