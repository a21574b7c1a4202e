// The vitest example: one file at a time, so no other test file allocates in the process while one is measured.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.test.mjs'],
    setupFiles: ['./setup.mjs'],
    fileParallelism: false,
  },
});
