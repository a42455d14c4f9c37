// Every page of the console loads with live data and no error, at 1280×800; a screenshot of each.

import { expect, screenshot, signIn, test } from './fixtures.ts';

const PAGES = [
  { path: '/', name: 'overview', ready: 'mesh-rps' },
  { path: '/graph', name: 'graph-page', ready: 'service-graph' },
  { path: '/services', name: 'services', heading: 'Services' },
  { path: '/services/shop/catalog', name: 'service-catalog', ready: 'versions-table' },
  { path: '/routes', name: 'routes', heading: 'Routes & canary' },
  { path: '/routes/shop/catalog', name: 'route-catalog', ready: 'canary-panel' },
  { path: '/rollouts', name: 'rollouts', heading: 'Rollouts' },
  { path: '/certificates', name: 'certificates-page', ready: 'certificate-timeline' },
  { path: '/proxies', name: 'proxies', ready: 'proxies' },
  { path: '/history', name: 'history-page', ready: 'revisions' },
  { path: '/audit', name: 'audit', ready: 'audit' },
] as const;

for (const entry of PAGES) {
  test(`${entry.path} shows its data`, async ({ page }) => {
    await signIn(page, 'admin');
    await page.goto(entry.path);
    if ('ready' in entry)
      await expect(page.getByTestId(entry.ready)).toBeVisible({ timeout: 30_000 });
    else
      await expect(page.getByRole('heading', { name: entry.heading, exact: true })).toBeVisible();
    await expect(page.locator('.state-loading')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.locator('.state-error')).toHaveCount(0);
    await screenshot(page, test.info(), entry.name);
  });
}
