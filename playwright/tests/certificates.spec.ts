// The certificate timeline: one bar per workload, plus the root and the intermediate.

import { expect, screenshot, signIn, test } from './fixtures.ts';

test('the timeline has one bar per proxy and the CA, a now line, and details on click', async ({
  page,
}) => {
  await signIn(page, 'admin');
  await page.goto('/proxies');
  // The demo runs seven workloads: frontend, catalog v1/v2/v3, inventory, reviews, ratings.
  const proxies = 7;
  await expect(page.getByTestId('proxies').locator('tbody tr')).toHaveCount(proxies);

  await page.goto('/certificates');
  const timeline = page.getByTestId('certificate-timeline');
  await expect(timeline.locator('[data-testid="cert-bar"][data-kind="LEAF"]')).toHaveCount(proxies);
  await expect(timeline.locator('[data-testid="cert-bar"][data-kind="ROOT"]')).toHaveCount(1);
  await expect(timeline.locator('[data-testid="cert-bar"][data-kind="INTERMEDIATE"]')).toHaveCount(
    1,
  );
  await expect(timeline.getByTestId('now-line')).toBeAttached();
  await expect(timeline.getByTestId('next-rotation')).toBeAttached();

  await page.getByLabel('Filter by service').selectOption('shop/catalog');
  await expect(timeline.locator('[data-testid="cert-bar"][data-kind="LEAF"]')).toHaveCount(3);

  await timeline.locator('[data-testid="cert-bar"][data-kind="LEAF"]').first().click();
  await expect(page.getByTestId('certificate-details')).toContainText(
    'spiffe://weft.local/ns/shop/sa/catalog',
  );
  await expect(page.getByRole('button', { name: 'Revoke' })).toBeVisible();
  await screenshot(page, test.info(), 'certificates');
});
