// Signing in and out, what a wrong password gets, and where ?next= may lead after sign-in.

import { expect, screenshot, signIn, test } from './fixtures.ts';

test('a wrong password is refused with a clear message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('form').getByRole('alert')).toHaveText('wrong username or password');
  await screenshot(page, test.info(), 'login');
});

test('an unsigned visitor is sent to the login page, and back after signing in', async ({
  page,
}) => {
  await page.goto('/proxies');
  await expect(page).toHaveURL(/\/login\?next=%2Fproxies$/);
  await page.getByLabel('Username').fill('olive');
  await page.getByLabel('Password').fill('operator password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/proxies$/);
  await expect(page.getByRole('heading', { name: 'Proxies' })).toBeVisible();
});

test('signing out ends the session', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('after signing in, ?next= leads only to a path on the console', async ({ page, baseURL }) => {
  for (const next of ['//evil.example/x', '/\\evil.example/x', '/\t/evil.example/x']) {
    await page.context().clearCookies();
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Username').fill('olive');
    await page.getByLabel('Password').fill('operator password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signed-in-user')).toHaveText('olive');
    expect([next, page.url()]).toEqual([next, `${baseURL}/`]);
  }
});
