// Fleet administration, as an admin: a user created, given another role and disabled (their
// session ends and they cannot sign in again), an API token made with an expiry and revoked (the
// controller refuses it at once), a join token made and expired; bad input answered next to its
// field. Viewers and operators see no administration, and the controller refuses them anyway.

import type { Page } from '@playwright/test';
import { csrfToken, expect, screenshot, signIn, submitSignIn, test } from './fixtures.ts';

const ANA = { username: 'ana', password: 'ana password 12' };

/** Whether the controller takes this API token now: the status of `auth.me` made with it. */
async function apiTokenStatus(page: Page, token: string): Promise<number> {
  const apiUrl = process.env.WEFT_API_URL;
  if (apiUrl === undefined) throw new Error('WEFT_API_URL is unset: global-setup.ts did not run');
  const answer = await page.request.get(`${apiUrl}/trpc/auth.me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return answer.status();
}

test('an admin creates a user, changes its role and disables it: the user is signed out for good', async ({
  page,
  browser,
  baseURL,
}) => {
  await signIn(page, 'admin');
  await page.getByTestId('admin-nav').getByRole('link', { name: 'Users' }).click();
  await expect(page.getByTestId('users').locator('tr[data-user="admin"]')).toBeVisible();
  const form = page.getByRole('form', { name: 'Create a user' });

  // The controller's refusals, each beside its field: a short password, a name already taken.
  await form.getByLabel('Username').fill(ANA.username);
  await form.getByLabel('Password').fill('short');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(form.getByLabel('Password')).toHaveAccessibleDescription(
    'must be at least 12 characters',
  );
  await expect(form.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');

  await form.getByLabel('Password').fill(ANA.password);
  await form.getByLabel('Role', { exact: true }).selectOption('VIEWER');
  await form.getByRole('button', { name: 'Create user' }).click();
  const row = page.locator('tr[data-user="ana"]');
  await expect(row.getByTestId('user-state')).toHaveText('enabled');
  await expect(row.getByLabel('Role of ana')).toHaveValue('VIEWER');
  await expect(form.getByLabel('Username')).toHaveValue('');

  await form.getByLabel('Username').fill('victor');
  await form.getByLabel('Password').fill('another password 1');
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(form.getByLabel('Username')).toHaveAccessibleDescription(
    'user "victor" already exists',
  );

  // Ana signs in elsewhere, as a viewer.
  const anaContext = await browser.newContext(baseURL === undefined ? {} : { baseURL });
  const anaPage = await anaContext.newPage();
  await submitSignIn(anaPage, ANA.username, ANA.password);
  await expect(anaPage.getByTestId('signed-in-user')).toHaveText(ANA.username);
  await expect(anaPage.locator('.nav .role')).toHaveText('viewer');

  // Her role changes on her next request.
  const changed = page.waitForResponse((r) => r.url().includes('users.setRole'));
  await row.getByLabel('Role of ana').selectOption('OPERATOR');
  expect((await changed).ok()).toBe(true);
  await page.reload();
  await expect(row.getByLabel('Role of ana')).toHaveValue('OPERATOR');
  await anaPage.reload();
  await expect(anaPage.locator('.nav .role')).toHaveText('operator');

  // Disabled: her session ends at once, and signing in again is refused.
  await row.getByRole('button', { name: 'Disable' }).click();
  await row.getByRole('button', { name: 'Disable user' }).click();
  await expect(row.getByTestId('user-state')).toHaveText('disabled');
  await expect(row.getByRole('button', { name: 'Enable' })).toBeVisible();
  await screenshot(page, test.info(), 'admin-users');

  await anaPage.reload();
  await expect(anaPage).toHaveURL(/\/login/);
  await submitSignIn(anaPage, ANA.username, ANA.password);
  await expect(anaPage.locator('form').getByRole('alert')).toHaveText('wrong username or password');
  await expect(anaPage.getByTestId('signed-in-user')).toHaveCount(0);
  await anaContext.close();
});

test('an admin creates an API token with an expiry and revokes it: the controller refuses it at once', async ({
  page,
}) => {
  await signIn(page, 'admin');
  await page.getByTestId('admin-nav').getByRole('link', { name: 'API tokens' }).click();
  const form = page.getByRole('form', { name: 'Create an API token' });
  await form.getByLabel('Name').fill('ci-deploy');
  // Past the controller's maximum (WEFT_API_TOKEN_MAX_TTL, 90 days by default).
  await form.getByLabel('Expires in (hours)').fill('100000');
  await form.getByRole('button', { name: 'Create token' }).click();
  await expect(form.getByLabel('Expires in (hours)')).toHaveAccessibleDescription(
    /must be at most \d+ hours/,
  );

  await form.getByLabel('Expires in (hours)').fill('48');
  await form.getByLabel('Role', { exact: true }).selectOption('OPERATOR');
  await form.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('secret').textContent()) ?? '';
  expect(secret).toMatch(/^weft_api_/);
  expect(await apiTokenStatus(page, secret)).toBe(200);

  const row = page.getByTestId('api-tokens').locator('tr', { hasText: 'ci-deploy' });
  await expect(row).toContainText('operator');
  await expect(row.getByTestId('token-state')).toHaveText('active');
  await expect(row).toContainText(/expires in (2 d|1 d 23 h)/);
  await screenshot(page, test.info(), 'admin-api-tokens');

  // Shown once: gone from the page when dismissed, and never in the list.
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('secret')).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);

  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Revoke token' }).click();
  await expect(row).toHaveCount(0);
  await page.getByLabel('Show revoked and expired').check();
  await expect(row.getByTestId('token-state')).toHaveText('revoked');
  expect(await apiTokenStatus(page, secret)).toBe(401);
});

test('an admin creates a join token and expires it', async ({ page }) => {
  await signIn(page, 'admin');
  await page.getByTestId('admin-nav').getByRole('link', { name: 'Join tokens' }).click();
  await expect(page.getByTestId('join-tokens')).toBeVisible();
  const form = page.getByRole('form', { name: 'Create a join token' });
  await form.getByLabel('Service').fill('Reviews!');
  await form.getByLabel('Namespace').fill('shop');
  await form.getByLabel('Expires in (hours)').fill('1000');
  await form.getByRole('button', { name: 'Create join token' }).click();
  await expect(form.getByLabel('Service')).toHaveAccessibleDescription(
    'must be a service name (DNS label)',
  );
  await expect(form.getByLabel('Expires in (hours)')).toHaveAccessibleDescription(
    'must be at most 720 hours (30 days)',
  );

  await form.getByLabel('Service').fill('reviews');
  await form.getByLabel('Expires in (hours)').fill('2');
  await form.getByLabel('Max uses').fill('1');
  await form.getByRole('button', { name: 'Create join token' }).click();
  await expect(page.getByTestId('secret')).toHaveText(/^weft_join_/);
  await expect(form.getByLabel('Service')).toHaveAccessibleDescription('');

  // The newest first; the demo's own tokens have no use limit.
  const row = page
    .getByTestId('join-tokens')
    .locator('tr[data-token]', { hasText: 'shop/reviews' })
    .filter({ hasText: '0 / 1' });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('token-state')).toHaveText('active');
  await expect(row).toContainText(/expires in (2 h|1 h 59 min)/);
  await expect(row).toContainText('admin');

  await row.getByRole('button', { name: 'Expire', exact: true }).click();
  await row.getByRole('button', { name: 'Expire token' }).click();
  await expect(row.getByTestId('token-state')).toHaveText('expired');
  await expect(row.getByRole('button', { name: 'Expire', exact: true })).toHaveCount(0);
  await screenshot(page, test.info(), 'admin-join-tokens');
});

for (const who of ['viewer', 'operator'] as const) {
  test(`the ${who} sees no administration, and the controller refuses its calls`, async ({
    page,
  }) => {
    await signIn(page, who);
    await expect(page.getByTestId('admin-nav')).toHaveCount(0);
    for (const path of ['/admin/users', '/admin/api-tokens', '/admin/join-tokens']) {
      await page.goto(path);
      await expect(page.getByTestId('admin-only')).toContainText(`signed in as ${who}`);
      await expect(page.locator('form')).toHaveCount(0);
      await expect(page.locator('main button')).toHaveCount(0);
      await expect(page.locator('main select')).toHaveCount(0);
    }
    await screenshot(page, test.info(), `admin-as-${who}`);

    // What the Role select sends, made with this user's own session cookie and anti-CSRF token.
    const forged = await page.request.post('/trpc/users.setRole', {
      headers: { 'content-type': 'application/json', 'x-weft-csrf': await csrfToken(page) },
      data: { json: { username: `${who === 'viewer' ? 'victor' : 'olive'}`, role: 'ADMIN' } },
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('needs the admin role');
  });
}
