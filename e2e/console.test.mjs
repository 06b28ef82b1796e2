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

// The dashboard counts what a shopper just did: a visit, a product view and an add to cart
// today show in the funnel, and each chart is an SVG image with its numbers as text.
test('a marketer sees a shopper in today\'s funnel on the dashboard', async () => {
  const url = store.server.url;
  addStaff(store.server, 'dash@vitrine.test', 'marketer', 'dashboard secret!');

  const shopperContext = await store.browser.newContext();
  const shopper = await shopperContext.newPage();
  await shopper.goto(url + '/');
  await shopper.locator('.product-grid .product-card__link').first().click();
  await shopper.waitForURL(/\/p\//);
  await shopper.locator('.add-to-cart button[type="submit"]').click();
  await shopper.waitForURL(/\/cart/);

  const context = await store.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url + '/admin/dashboard');
  await signIn(page, 'dash@vitrine.test', 'dashboard secret!');
  await page.waitForURL(/\/admin\/dashboard$/);
  // Without dates: the 30 days up to the latest order, which the imported history fills.
  assert.ok(Number(await page.locator('[data-kpi="orders"]').textContent()) > 0);

  const today = new Date().toISOString().slice(0, 10);
  const step = (i) => page.locator(`tr[data-step="${i}"] td`).first();
  let counts = [];
  for (let i = 0; i < 20; i++) {
    await page.goto(`${url}/admin/dashboard?from=${today}&to=${today}`);
    counts = await Promise.all([0, 1, 2].map(async (i) => Number(await step(i).textContent())));
    if (counts.every((c) => c >= 1)) break;
    await new Promise((ok) => setTimeout(ok, 500)); // the event writer batches
  }
  assert.ok(counts.every((c) => c >= 1), `visit, product view, add to cart today: ${counts}`);
  assert.equal(await page.locator('[data-kpi="visitors"]').textContent(), String(counts[0]));

  const charts = page.locator('svg.dash-chart');
  assert.ok((await charts.count()) >= 3, 'funnel, top products, revenue charts');
  for (const chart of await charts.all()) {
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.ok((await chart.locator('title').textContent()).length > 0, 'each chart is named');
  }

  // A date it cannot use: the form again with a message, not an error page.
  const bad = await page.goto(`${url}/admin/dashboard?from=2010-13-45&to=${today}`);
  assert.equal(bad.status(), 422);
  await page.locator('#dash-from').waitFor();
  await context.close();
  await shopperContext.close();
});
