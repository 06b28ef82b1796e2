// Staff in the console: an admin made on the command line signs in (after a wrong password),
// adds a marketer with the staff form, signs out; the marketer signs in and cannot manage staff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addStaff, signIn, useStore } from './helpers.mjs';

const store = useStore();

test('an admin signs in, adds a marketer, signs out; the marketer cannot manage staff', async () => {
  addStaff(store.server, 'admin@vitrine.test', 'admin', 'correct horse battery');
  // The console works without JavaScript: it is plain server-rendered forms.
  const context = await store.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  // Signed out, the console sends the visitor to sign in and back afterwards.
  await page.goto(store.server.url + '/admin/staff');
  await page.waitForURL(/\/admin\/login\?next=\/admin\/staff$/);
  await signIn(page, 'admin@vitrine.test', 'wrong password!!');
  await page.locator('[role="alert"]', { hasText: "don't match" }).waitFor();
  assert.equal(await page.inputValue('#email'), 'admin@vitrine.test', 'the email is kept');
  assert.equal(await page.inputValue('#password'), '', 'the password is not');
  await signIn(page, 'admin@vitrine.test', 'correct horse battery');
  await page.waitForURL(/\/admin\/staff$/);
  const cookie = (await context.cookies()).find((c) => c.name === 'vitrine_staff');
  assert.ok(cookie.httpOnly && cookie.sameSite === 'Strict', JSON.stringify(cookie));

  // Add a marketer with the form.
  await page.fill('#new-email', 'Marketer@Vitrine.test');
  await page.selectOption('#new-role', 'marketer');
  await page.fill('#new-password', 'another long secret');
  await page.locator('button', { hasText: 'Add' }).click();
  await page.locator('[role="status"]').waitFor();
  const row = page.locator('tr', { hasText: 'marketer@vitrine.test' });
  assert.match(await row.textContent(), /marketer/);

  // The console home shows who is signed in and the change in the audit log.
  await page.locator('nav a', { hasText: 'Home' }).click();
  await page.locator('h1', { hasText: 'Console' }).waitFor();
  const audit = page.locator('table tr', { hasText: 'staff.added' });
  assert.match(await audit.first().textContent(), /marketer@vitrine\.test/);

  await page.locator('button', { hasText: 'Sign out' }).click();
  await page.waitForURL(/\/admin\/login/);
  await page.goto(store.server.url + '/admin');
  await page.waitForURL(/\/admin\/login/);

  // The marketer: a console without staff management.
  await signIn(page, 'marketer@vitrine.test', 'another long secret');
  await page.waitForURL(/\/admin$/);
  assert.match(await page.locator('main').textContent(), /You are a marketer/);
  assert.equal(await page.locator('nav a', { hasText: 'Staff' }).count(), 0);
  const refused = await page.goto(store.server.url + '/admin/staff');
  assert.equal(refused.status(), 403);
  await context.close();
});
