// Browser tests of the console against a real mesh: the demo (controller, proxies, services,
// traffic and the production console build) is started once for the run by global-setup.ts.
// Chromium comes from Debian (/usr/bin/chromium), as Playwright cannot download browsers here.

import { defineConfig } from '@playwright/test';

const CHROMIUM = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests',
  outputDir: 'artifacts/results',
  globalSetup: './global-setup.ts',
  // One mesh serves every test; tests that change it (canary, rollback) must not interleave.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { outputFolder: 'artifacts/report', open: 'never' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
