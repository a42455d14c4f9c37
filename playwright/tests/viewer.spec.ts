// A viewer sees the mesh but no edit controls, and the controller refuses a forged mutation.

import { csrfToken, expect, signIn, test } from './fixtures.ts';

test('a viewer has no edit controls, and a forged mutation is refused', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/routes/shop/catalog');
  await expect(page.getByTestId('split-current')).toBeVisible();
  await expect(page.getByTestId('canary-slider')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Apply' })).toHaveCount(0);

  await page.goto('/history');
  await expect(page.getByTestId('revisions')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Roll back' })).toHaveCount(0);

  await page.goto('/certificates');
  await expect(page.getByTestId('certificate-timeline')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Rotate intermediate' })).toHaveCount(0);

  // The same call the operator's Apply button makes, sent with the viewer's session cookie.
  const forged = await page.request.post('/trpc/routes.setCanaryWeights', {
    headers: { 'content-type': 'application/json', 'x-weft-csrf': await csrfToken(page) },
    data: { json: { namespace: 'shop', route: 'catalog', weights: { v1: 0, v2: 100 } } },
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain('needs the operator role');
});

test('a cookie-authenticated mutation without the anti-CSRF header is refused', async ({
  page,
}) => {
  await signIn(page, 'operator');
  const forged = await page.request.post('/trpc/routes.setCanaryWeights', {
    headers: { 'content-type': 'application/json' },
    data: { json: { namespace: 'shop', route: 'catalog', weights: { v1: 0, v2: 100 } } },
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain('x-weft-csrf');
});
