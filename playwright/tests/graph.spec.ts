// The service graph shows every call of the demo shop with live numbers.

import { expect, screenshot, signIn, test } from './fixtures.ts';

const EDGES = [
  'shop/frontend->shop/catalog',
  'shop/frontend->shop/reviews',
  'shop/catalog->shop/inventory',
  'shop/reviews->shop/ratings',
];

test('every edge of the shop appears with req/s, success rate and p99', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.getByRole('link', { name: 'Service graph' }).click();
  for (const key of EDGES) {
    const edge = page.getByTestId(`edge-${key}`);
    await expect(edge).toBeVisible({ timeout: 60_000 });
    await expect(edge.getByTestId('edge-rps')).toHaveText(/^\d+(\.\d+)?\/s$/);
    await expect(edge.getByTestId('edge-success')).toHaveText(/^\d+\.\d%$/);
    await expect(edge.getByTestId('edge-p99')).toHaveText(/^\d+(\.\d+)? m?s$/);
  }
  // Its label is the edge's largest target (the arrow itself is a thin line).
  await page.getByTestId('edge-shop/frontend->shop/catalog').getByTestId('edge-rps').click();
  await expect(page.getByTestId('graph-details')).toContainText('shop/frontend → shop/catalog');
  await expect(page.getByTestId('graph-details')).toContainText('v1');
  await page.getByTestId('node-shop/catalog').click();
  await expect(page.getByTestId('graph-details')).toContainText('Called by');
  await screenshot(page, test.info(), 'graph');
});
