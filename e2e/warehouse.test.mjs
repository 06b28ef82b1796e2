// The console's warehouse screens, used as on a warehouse terminal (JavaScript off).
// Orders: a shopper places an order; staff find it by the shopper's email, pack it, ship it
// with a double-click, and the shopper's order page shows each step once; cancelling a second
// order needs its box ticked, and the shopper's page then says it is cancelled.
// Stock: a stocktake corrects the least stocked variant to 0 and its product page can't sell
// it; staff receive a delivery and a shopper buys it.
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

test('a stocktake finds a variant gone, a delivery brings it back and a shopper buys it', async () => {
  addStaff(store.server, 'goods-in@vitrine.test', 'marketer', 'pallets arrive on tuesdays');
  const console_ = await store.browser.newContext({ javaScriptEnabled: false });
  const admin = await console_.newPage();
  await admin.goto(store.server.url + '/admin/stock');
  await admin.waitForURL(/\/admin\/login/);
  await signIn(admin, 'goods-in@vitrine.test', 'pallets arrive on tuesdays');
  await admin.waitForURL(/\/admin\/stock$/);
  const first = admin.locator('tr[data-testid="stock-row"]').first();
  const sku = await first.getAttribute('data-sku');
  const productUrl = store.server.url + (await first.locator('a').getAttribute('href'));
  const row = () => admin.locator(`tr[data-sku="${sku}"]`);

  // The shelf is empty: counted 0.
  await row().locator('input[name="count"]').fill('0');
  await row().locator('button', { hasText: 'Counted' }).click();
  await admin.waitForURL(/n=counted/);
  assert.equal((await admin.locator('[role="status"]').first().textContent()).trim(), `Corrected ${sku}: 0 in stock now.`);
  assert.equal((await row().locator('[data-testid="stock-level"]').textContent()).trim(), 'Out of stock');

  const context = await store.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(productUrl);
  await hydrated(page);
  assert.equal((await page.locator('[data-testid="stock"]').textContent()).trim(), 'Out of stock');
  assert.ok(await page.locator('.add-to-cart button[type="submit"]').isDisabled());

  // A delivery of 3 arrives.
  await row().locator('input[name="units"]').fill('3');
  await row().locator('button', { hasText: 'Received' }).click();
  await admin.waitForURL(/n=received/);
  assert.equal((await admin.locator('[role="status"]').first().textContent()).trim(), `Received ${sku}: 3 in stock now.`);
  await console_.close();

  await page.reload();
  await hydrated(page);
  assert.equal((await page.locator('[data-testid="stock"]').textContent()).trim(), 'Only 3 left');
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
  assert.deepEqual(problems, []);
  await context.close();
});
