// Unit tests of the console's pure logic (slider arithmetic, graph focus, timeline scale); the
// pages themselves are tested in a real browser by playwright/.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '~': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: { include: ['src/**/*.test.ts'] },
});
