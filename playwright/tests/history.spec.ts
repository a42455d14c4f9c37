// History: a revision's diff, and one-click rollback that becomes a new revision.

import { csrfToken, expect, screenshot, signIn, test } from './fixtures.ts';

test('rolling back to an earlier revision creates a new revision that restores it', async ({
  page,
}) => {
  await signIn(page, 'operator');
  // A change to roll back from, made with the operator's session as the console would.
  const change = await page.request.post('/trpc/routes.setCanaryWeights', {
    headers: { 'content-type': 'application/json', 'x-weft-csrf': await csrfToken(page) },
    data: { json: { namespace: 'shop', route: 'catalog', weights: { v1: 77, v2: 23 } } },
  });
  expect(change.status()).toBe(200);
  const made = ((await change.json()) as { result: { data: { json: { revision: number } } } })
    .result.data.json.revision;

  await page.goto('/history');
  const rows = page.getByTestId('revisions').locator('tbody tr');
  await expect(rows.first()).toHaveAttribute('data-revision', String(made));
  await expect(rows.first()).toContainText('in force');
  const target = page.locator(`[data-revision="${made - 1}"]`);

  await target.click();
  await expect(page.getByRole('heading', { name: `Changes in r${made - 1}` })).toBeVisible();
  await expect(page.getByTestId('resource-diff').first()).toBeVisible();

  await target.getByRole('button', { name: 'Roll back' }).click();
  await page.getByRole('button', { name: `Roll back to r${made - 1}` }).click();
  await expect(rows.first()).toHaveAttribute('data-revision', String(made + 1));
  await expect(rows.first()).toContainText(`restores r${made - 1}`);
  await expect(rows.first()).toContainText('in force');
  await expect(page.getByTestId('propagation')).toContainText(/applied by (\d+)\/\1 proxies/, {
    timeout: 30_000,
  });
  await screenshot(page, test.info(), 'history');
});
