// jest setupFilesAfterEnv entry: adds toPeakLessThan and toRetainLessThan to expect.
import { expect } from '@jest/globals';
import { memoryMatchers } from 'membench/jest';

expect.extend(memoryMatchers);
