// What every browser test shares: the console's address, signing in as a given user through the
// login page, and a full-page screenshot kept as a test artifact.

import { join } from 'node:path';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import { USERS } from './users.ts';

export type Who = keyof typeof USERS;

const SCREENSHOT_DIR = join(import.meta.dirname, '..', 'artifacts', 'screenshots');

export const test = base.extend({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as a pattern
  baseURL: async ({}, use) => {
    const url = process.env.WEFT_CONSOLE_URL;
    if (url === undefined)
      throw new Error('WEFT_CONSOLE_URL is unset: global-setup.ts did not run');
    await use(url);
  },
});

export { expect };

export function passwordOf(who: Who): string {
  if (who === 'admin') return process.env.WEFT_ADMIN_PASSWORD ?? '';
  return USERS[who].password;
}

export async function signIn(page: Page, who: Who): Promise<void> {
  await submitSignIn(page, USERS[who].username, passwordOf(who));
  await expect(page.getByTestId('signed-in-user')).toHaveText(USERS[who].username);
}

/** Fills in and sends the login form, for any user; the caller checks how it ended. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The signed-in page's anti-CSRF token: what the console's own script sends as x-weft-csrf. */
export async function csrfToken(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.find((c) => c.name === 'weft_csrf')?.value ?? 'no weft_csrf cookie';
}

export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}
