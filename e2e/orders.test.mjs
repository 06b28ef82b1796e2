// The console's orders screen: a shopper places an order; a staff member (JavaScript off, as
// on a warehouse terminal) finds it by the shopper's email, packs it, ships it with a
// double-click, and the shopper's order page shows each step once; cancelling a second order
// needs its box ticked, and the shopper's page then says it is cancelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addStaff, fillCheckout, hydrated, signIn, useStore, watchConsole } from './helpers.mjs';

const store = useStore();

async function buy(page, productIndex, email) {
  await page.goto(store.server.url + '/');
  await page.locator('.product-grid .product-card__link').nth(productIndex).click();
  await page.waitForURL(/\/p\//);
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
  await page.goto(store.server.url + '/checkout');
  await hydrated(page);
  await fillCheckout(page, email);
  await page.locator('[data-testid="place-order"]').click();
  await page.waitForURL(/\/orders\/VT\w+\?key=\w+&n=placed/);
  const number = (await page.locator('h1').textContent()).replace('Order ', '').trim();
  return { number, orderUrl: page.url().replace(/&n=placed$/, '') };
}

test('staff pack and ship an order in the console and the shopper follows it', async () => {
  const context = await store.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  const { number, orderUrl } = await buy(page, 3, 'parcel@example.com');

  addStaff(store.server, 'packer@vitrine.test', 'marketer', 'boxes and tape and labels');
  const console_ = await store.browser.newContext({ javaScriptEnabled: false });
  const admin = await console_.newPage();
  await admin.goto(store.server.url + '/admin/orders');
  await admin.waitForURL(/\/admin\/login/);
  await signIn(admin, 'packer@vitrine.test', 'boxes and tape and labels');
  await admin.waitForURL(/\/admin\/orders$/);
  await admin.fill('#order-q', 'Parcel@Example.com');
  await admin.locator('button', { hasText: 'Show' }).click();
  const rows = admin.locator('tr[data-testid="order-row"]');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), new RegExp(`${number}[\\s\\S]*Ada Lovelace[\\s\\S]*Paid`));
  await rows.first().locator('a').click();
  await admin.waitForURL(new RegExp(`/admin/orders/${number}$`));
  assert.match(await admin.locator('address').textContent(), /12 St James's Square[\s\S]*London SW1Y 4JH/);

  await admin.locator('button', { hasText: 'Mark as packed' }).click();
  await admin.waitForURL(/n=moved\.packed$/);
  assert.match(await admin.locator('[role="status"]').first().textContent(), /Marked as packed/);
  await admin.locator('button', { hasText: 'Mark as shipped' }).dblclick();
  await admin.waitForURL(/n=(moved|already)\.shipped$/);
  assert.equal((await admin.locator('[data-testid="order-status"]').textContent()).trim(), 'Shipped');
  assert.equal(await admin.locator('button', { hasText: 'Cancel the order' }).count(), 0, 'a shipped order cannot be cancelled');

  await page.goto(orderUrl);
  await hydrated(page);
  assert.match(await page.locator('[data-testid="order-status"]').textContent(), /Shipped/);
  const timeline = await page.locator('[data-testid="order-timeline"]').textContent();
  assert.equal(timeline.split('Handed to the carrier').length - 1, 1, timeline);
  assert.match(timeline, /Packed and ready to go/);

  // A second order is cancelled: the box must be ticked first (the browser holds the form
  // until it is), then the shopper's page says so.
  const second = await buy(page, 5, 'changed-mind@example.com');
  await admin.goto(`${store.server.url}/admin/orders/${second.number}`);
  await admin.locator('button', { hasText: 'Cancel the order' }).click();
  assert.equal((await admin.locator('[data-testid="order-status"]').textContent()).trim(), 'Paid', 'not without the box');
  await admin.locator('#confirm-cancelled').check();
  await admin.locator('button', { hasText: 'Cancel the order' }).click();
  await admin.waitForURL(/n=moved\.cancelled$/);
  assert.match(await admin.locator('[role="status"]').first().textContent(), /stock is back on sale/);
  await page.goto(second.orderUrl);
  assert.match(await page.locator('[data-testid="order-status"]').textContent(), /Cancelled/);
  await console_.close();
  assert.deepEqual(problems, []);
  await context.close();
});
