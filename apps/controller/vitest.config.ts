// Tests here start real servers and processes; on a loaded 2-core machine that takes seconds.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 30_000 },
});
