// Editing a route's YAML in the console: a mistake is named by line and field and nothing changes;
// a valid edit shows its diff, applies as a revision and reaches the proxies.

import { expect, screenshot, signIn, test } from './fixtures.ts';

test('a route edit is checked line by line, diffed, applied and propagated', async ({ page }) => {
  await signIn(page, 'operator');
  await page.goto('/routes/shop/reviews');
  const editor = page.getByTestId('route-editor');
  const yaml = editor.getByLabel('Route YAML');
  const original = await yaml.inputValue();
  expect(original).toContain('request: 1s');

  await yaml.fill(original.replace('request: 1s', 'request: soon'));
  await editor.getByRole('button', { name: 'Check' }).click();
  const issues = editor.getByTestId('config-issues');
  await expect(issues).toContainText(/line \d+:\d+ .*timeouts\.request: /);
  await expect(editor.getByRole('button', { name: 'Apply' })).toBeDisabled();

  await yaml.fill(original.replace('request: 1s', 'request: 1500ms'));
  await editor.getByRole('button', { name: 'Check' }).click();
  await expect(editor.getByTestId('resource-diff')).toContainText(/\+\s+request: 1500ms/);
  await editor.getByRole('button', { name: 'Apply' }).click();
  await expect(editor.getByTestId('propagation')).toContainText(/applied by (\d+)\/\1 proxies/, {
    timeout: 30_000,
  });
  await expect(page.locator('td.num').filter({ hasText: '1.50 s' })).toBeVisible();
  await screenshot(page, test.info(), 'route-edit');
});
