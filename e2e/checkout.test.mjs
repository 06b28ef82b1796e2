// A guest buying: two products, a changed quantity, checkout with the test card, the
// confirmation, and finding the order again by number + email; a declined card; a
// double-clicked "Place order"; Enter in the last field places the order; the whole purchase
// with JavaScript off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillCheckout, hydrated, useStore, vitrine, watchConsole } from './helpers.mjs';

const store = useStore();
const OK_CARD = '4242 4242 4242 4242';
const DECLINED_CARD = '4000 0000 0000 0002';

// Adds the `nth` popular product of the home page to the cart.
async function addPopular(page, nth, quantity = 1) {
  await page.goto(store.server.url + '/');
  await page.locator('.product-grid .product-card__link').nth(nth).click();
  await page.waitForURL(/\/p\//);
  await page.fill('#qty', String(quantity));
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
}

// The web orders placed with `email`, as the operator's command lists them.
function ordersOf(email) {
  return vitrine(store.server, ['order', 'list', '--email', email])
    .split('\n')
    .filter((line) => line.startsWith('VT'));
}

const pounds = (text) => Math.round(Number(text.replace(/[^0-9.]/g, '')) * 100);

test('a guest buys two products and finds the order again by number and email', async () => {
  const context = await store.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await addPopular(page, 0);
  await addPopular(page, 1);
  await hydrated(page);
  await page.locator('.cart-qty input[name="quantity"]').first().fill('2');
  await page.locator('.cart-qty button').first().click();
  await page.waitForURL(/n=updated/);
  assert.equal((await page.locator('[data-testid="cart-items"]').textContent()).trim(), '3');

  await page.locator('[data-testid="go-to-checkout"]').click();
  await page.waitForURL(/\/checkout$/);
  await hydrated(page);
  const subtotal = pounds(await page.locator('[data-testid="checkout-subtotal"]').textContent());
  // Switching to express updates the review at once, with the same arithmetic the server uses.
  await page.locator('#shipping-express').check();
  await page.waitForFunction(() => /£/.test(document.querySelector('[data-testid="checkout-shipping"]').textContent));
  const shipping = pounds(await page.locator('[data-testid="checkout-shipping"]').textContent());
  const total = pounds(await page.locator('[data-testid="checkout-total"]').textContent());
  assert.ok(shipping >= 795, `express costs at least £7.95, got ${shipping}`);
  assert.equal(total, subtotal + shipping);

  await fillCheckout(page, 'buyer@example.com', OK_CARD);
  await page.locator('[data-testid="place-order"]').click();
  await page.waitForURL(/\/orders\/VT\w+\?key=\w+&n=placed/);
  assert.match(await page.locator('[data-testid="order-notice"]').textContent(), /Thank you/);
  const number = (await page.locator('h1').textContent()).replace('Order ', '').trim();
  assert.equal(pounds(await page.locator('[data-testid="order-total"]').textContent()), total, 'charged what the review showed');
  assert.match(await page.locator('[data-testid="order-status"]').textContent(), /Paid/);

  await page.goto(store.server.url + '/orders');
  await page.fill('#lookup-number', number);
  await page.fill('#lookup-email', 'Buyer@Example.com');
  await page.locator('[data-testid="find-order"]').click();
  await page.waitForURL(new RegExp(`/orders/${number}\\?key=`));
  assert.equal((await page.locator('h1').textContent()).trim(), `Order ${number}`);
  assert.equal(ordersOf('buyer@example.com').length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a declined card shows the reason, keeps the form and makes no order', async () => {
  const context = await store.browser.newContext();
  const page = await context.newPage();
  await addPopular(page, 2);
  await page.goto(store.server.url + '/checkout');
  await hydrated(page);
  await fillCheckout(page, 'declined@example.com', DECLINED_CARD);
  await page.locator('[data-testid="place-order"]').click();
  await page.waitForURL(/\/checkout\?e=1/);
  assert.match(await page.locator('[data-testid="checkout-error"]').textContent(), /declined/);
  assert.equal(await page.inputValue('#checkout-name'), 'Ada Lovelace', 'the input is kept');
  assert.equal(await page.inputValue('#checkout-card_number'), '', 'the card is not');
  assert.deepEqual(ordersOf('declined@example.com'), []);
  await context.close();
});

for (const javaScriptEnabled of [true, false]) {
  test(`a double-clicked "Place order" makes one order (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const context = await store.browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const email = `double-${javaScriptEnabled ? 'js' : 'nojs'}@example.com`;
    await addPopular(page, 3);
    await page.goto(store.server.url + '/checkout');
    if (javaScriptEnabled) await hydrated(page);
    await fillCheckout(page, email, OK_CARD);
    await page.locator('[data-testid="place-order"]').dblclick();
    await page.waitForURL(/\/orders\/VT\w+\?key=\w+&n=placed/);
    assert.equal(ordersOf(email).length, 1);
    await context.close();
  });
}

for (const javaScriptEnabled of [true, false]) {
  test(`Enter in the last field places the order (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const context = await store.browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const email = `enter-${javaScriptEnabled ? 'js' : 'nojs'}@example.com`;
    await addPopular(page, 5);
    await page.goto(store.server.url + '/checkout');
    if (javaScriptEnabled) await hydrated(page);
    await fillCheckout(page, email, OK_CARD);
    await page.press('#checkout-card_cvc', 'Enter');
    await page.waitForURL(/\/orders\/VT\w+\?key=\w+&n=placed/);
    assert.equal(ordersOf(email).length, 1);
    await context.close();
  });
}

test('the whole purchase works with JavaScript off', async () => {
  const context = await store.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await addPopular(page, 4, 2);
  await page.locator('[data-testid="go-to-checkout"]').click();
  await page.waitForURL(/\/checkout$/);
  // A mistake first: the server sends the form back with the reason and the input kept.
  await fillCheckout(page, 'nojs@example.com', '1234 5678');
  await page.locator('[data-testid="place-order"]').click();
  await page.waitForURL(/\/checkout\?e=1/);
  assert.match(await page.locator('[data-testid="checkout-error"]').textContent(), /card number/);
  assert.equal(await page.inputValue('#checkout-email'), 'nojs@example.com');
  await page.fill('#checkout-card_number', OK_CARD);
  await page.fill('#checkout-card_expiry', '12/40');
  await page.fill('#checkout-card_cvc', '123');
  await page.locator('[data-testid="place-order"]').click();
  await page.waitForURL(/\/orders\/VT\w+\?key=\w+&n=placed/);
  assert.match(await page.locator('[data-testid="order-notice"]').textContent(), /Thank you/);
  assert.equal(ordersOf('nojs@example.com').length, 1);
  await context.close();
});
