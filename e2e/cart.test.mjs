// A shopper putting things in the cart, with the bundle and with JavaScript off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hydrated, useStore, watchConsole } from './helpers.mjs';

const store = useStore();

async function addFirstPopular(page, quantity) {
  await page.goto(store.server.url + '/');
  await page.locator('.product-grid .product-card__link').first().click();
  await page.waitForURL(/\/p\//);
  const title = (await page.locator('h1.product__title').textContent()).trim();
  await page.fill('#qty', String(quantity));
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
  return title;
}

for (const javaScriptEnabled of [true, false]) {
  test(`add, change and remove cart lines (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const context = await store.browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const problems = watchConsole(page);

    const title = await addFirstPopular(page, 2);
    if (javaScriptEnabled) await hydrated(page);
    assert.match(await page.locator('[role="status"]').first().textContent(), /Added to your cart/);
    assert.ok((await page.locator('.cart-table').textContent()).includes(title));
    assert.equal((await page.locator('[data-testid="cart-items"]').textContent()).trim(), '2');

    // A quantity of zero is refused by the browser's own form validation (min="1") before it
    // is sent; the server's refusal of the same is covered by the integration tests.
    const before = page.url();
    await page.fill('.cart-qty input[name="quantity"]', '0');
    await page.locator('.cart-qty button').click();
    assert.equal(await page.locator('.cart-qty input:invalid').count(), 1, 'the field is marked invalid');
    assert.equal(page.url(), before, 'nothing was submitted');
    assert.equal((await page.locator('[data-testid="cart-items"]').textContent()).trim(), '2');

    await page.fill('.cart-qty input[name="quantity"]', '3');
    await page.locator('.cart-qty button').click();
    await page.waitForURL(/n=updated/);
    assert.equal((await page.locator('[data-testid="cart-items"]').textContent()).trim(), '3');

    await page.locator('form[action="/cart/remove"] button').click();
    await page.waitForURL(/n=removed/);
    assert.match(await page.locator('.empty-state').textContent(), /Your cart is empty/);
    assert.deepEqual(problems, []);
    await context.close();
  });
}
