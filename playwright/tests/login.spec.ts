// Signing in and out, what a wrong password gets, and the sign-in boundary: where ?next= may
// lead, who can lock whom out, the per-session anti-CSRF token and the headers every page carries.

import { request } from 'node:http';
import { csrfToken, expect, screenshot, signIn, test } from './fixtures.ts';

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

test('wrong passwords sent from elsewhere do not lock the user out of their own browser', async ({
  page,
  baseURL,
}) => {
  // Another machine, as the console sees it: a second loopback address.
  const elsewhere = [];
  for (let i = 0; i < 6; i++)
    elsewhere.push(await signInFrom(`${baseURL}`, '127.0.0.2', 'victor', `guess ${i}`));
  expect(elsewhere).toEqual([401, 401, 401, 401, 401, 429]);
  await signIn(page, 'viewer');
});

test('a mutation through the console needs its own session’s anti-CSRF token', async ({
  page,
  browser,
}) => {
  const other = await browser.newPage();
  await signIn(other, 'viewer');
  const othersToken = await csrfToken(other);
  await other.close();
  await signIn(page, 'operator');
  const token = await csrfToken(page);
  // A bad input: past the session and CSRF checks the answer is 400, and nothing changes.
  const call = async (csrf: string) =>
    (
      await page.request.post('/trpc/routes.setCanaryWeights', {
        headers: { 'content-type': 'application/json', 'x-weft-csrf': csrf },
        data: { json: { probe: true } },
      })
    ).status();
  for (const wrong of ['', '1', othersToken, `${token}x`, token.slice(1)])
    expect([wrong, await call(wrong)]).toEqual([wrong, 403]);
  expect(await call(token)).toBe(400);
});

test('every page forbids framing and sets a content security policy it renders under', async ({
  page,
}) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  for (const path of ['/login', '/', '/proxies', '/routes/shop/catalog']) {
    const headers = (await page.request.get(path)).headers();
    expect([path, headers['content-security-policy']]).toEqual([
      path,
      expect.stringContaining("frame-ancestors 'none'"),
    ]);
    expect([path, headers['x-frame-options'], headers['x-content-type-options']]).toEqual([
      path,
      'DENY',
      'nosniff',
    ]);
    expect([path, headers['referrer-policy']]).toEqual([path, 'same-origin']);
  }
  await signIn(page, 'viewer');
  await page.goto('/routes/shop/catalog');
  await expect(page.getByTestId('split-current')).toBeVisible();
  expect(violations).toEqual([]);
});

/** POST auth.login to the console from a chosen local address; resolves with the status. */
function signInFrom(
  consoleUrl: string,
  localAddress: string,
  username: string,
  password: string,
): Promise<number> {
  const url = new URL('/trpc/auth.login', consoleUrl);
  const body = JSON.stringify({ json: { username, password } });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}
