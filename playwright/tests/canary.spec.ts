// The canary slider: 30% to v2, applied, propagated to every proxy, and the observed split follows.

import { expect, screenshot, signIn, test } from './fixtures.ts';

/** How far the observed share may be from the requested one: a few points over a few hundred requests. */
const TOLERANCE_POINTS = 5;
const CONVERGENCE_TIMEOUT_MS = 90_000;

test('moving the catalog canary to 30% reaches every proxy and the observed split converges', async ({
  page,
}) => {
  await signIn(page, 'operator');
  await page.goto('/routes/shop/catalog');
  const slider = page.getByTestId('canary-slider');
  await expect(slider).toHaveValue('10');
  // The slider is keyboard-operable: focus it and step it up 20 points.
  await slider.focus();
  for (let i = 0; i < 20; i += 1) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('canary-percent')).toHaveText('30%');
  await expect(page.getByTestId('canary-diff')).toHaveText('v1: 90 → 70 · v2: 10 → 30');
  await page.getByTestId('canary-panel').getByRole('button', { name: 'Apply' }).click();

  const propagation = page.getByTestId('propagation');
  await expect(propagation).toContainText(/applied by (\d+)\/\1 proxies/, { timeout: 30_000 });
  expect(Number(await propagation.getAttribute('data-affected'))).toBeGreaterThan(0);
  await expect(page.getByTestId('split-current').locator('[data-version="v2"]')).toHaveAttribute(
    'data-share',
    '30.0',
  );

  await expect
    .poll(
      async () => {
        const total = await page.getByTestId('split-observed').getAttribute('aria-label');
        const share = Number.parseFloat(
          (await page.getByTestId('observed-v2').textContent()) ?? '',
        );
        return total?.includes('since the change') === true && /\((\d{3,}) requests\)/.test(total)
          ? share
          : Number.NaN;
      },
      { timeout: CONVERGENCE_TIMEOUT_MS, intervals: [2_000] },
    )
    .toBeGreaterThanOrEqual(30 - TOLERANCE_POINTS);
  const observed = Number.parseFloat((await page.getByTestId('observed-v2').textContent()) ?? '');
  expect(observed).toBeLessThanOrEqual(30 + TOLERANCE_POINTS);
  await screenshot(page, test.info(), 'canary');
});
