// The bad canary: a rollout of catalog v3 (slow, failing) started from the console rolls itself
// back on the mesh's own numbers, and the page says why.

import { expect, screenshot, signIn, test } from './fixtures.ts';

/** Two failed 10 s analyses at the first step, plus rollup and upload delay. */
const ROLLBACK_TIMEOUT_MS = 100_000;

test('a rollout of the bad catalog v3 rolls back by itself, with the reason shown', async ({
  page,
}) => {
  await signIn(page, 'operator');
  await page.goto('/rollouts');
  const form = page.getByRole('form', { name: 'Start a rollout' });
  await form.getByLabel('Canary').selectOption('v3');
  await form.getByRole('button', { name: 'Start rollout' }).click();

  const run = page.locator('[data-testid="rollout"]').filter({ hasText: 'v3' }).first();
  await expect(run.getByTestId('rollout-phase')).toContainText(/progressing|paused/);
  await expect(run).toHaveAttribute('data-phase', 'ROLLED_BACK', { timeout: ROLLBACK_TIMEOUT_MS });
  await expect(run.getByTestId('rollout-reason')).toContainText('v3');
  await expect(run.getByTestId('rollout-reason')).toContainText(/p99|success rate/);
  await expect(run.getByTestId('analysis-p99')).toBeVisible();

  await page.goto('/routes/shop/catalog');
  await expect(page.getByTestId('split-current').locator('[data-version="v3"]')).toHaveAttribute(
    'data-share',
    '0.0',
  );
  await page.goto('/rollouts');
  await expect(run.getByTestId('rollout-reason')).toBeVisible();
  await screenshot(page, test.info(), 'rollout-rolled-back');
});
