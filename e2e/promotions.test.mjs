// Promotions as a shopper meets them: a product on a flash sale (strikethrough, the 30-day
// prior price, the end time without JavaScript and a live countdown with it), and a coupon
// applied at checkout that changes the total and is recorded on the order; a coupon a marketer
// creates on the console's promotions page, used by a shopper; a multi-buy mixing two products,
// linked from one product page to the other, stated in the cart and taken off at checkout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addStaff, fillCheckout, hydrated, signIn, useStore, vitrine, watchConsole } from './helpers.mjs';

const store = useStore();
const pounds = (text) => Math.round(Number(text.replace(/[^0-9.]/g, '')) * 100);
const decimal = (minor) => (minor / 100).toFixed(2);

// The `nth` popular product of the home page: its URL, SKU and price in minor units.
async function popular(page, nth) {
  await page.goto(store.server.url + '/');
  await page.locator('.product-grid .product-card__link').nth(nth).click();
  await page.waitForURL(/\/p\//);
  const sku = (await page.locator('[data-testid="sku"]').textContent()).trim();
  const price = pounds(await page.locator('[data-testid="price"]').textContent());
  return { url: page.url(), sku, price };
}

test('a product on a flash sale shows the strikethrough, the 30-day prior price and the countdown', async () => {
  const context = await store.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const product = await popular(page, 2);
  const sale = Math.floor(product.price / 2);
  const printed = vitrine(store.server, ['promo', 'flash', 'add', product.sku, '--price', decimal(sale), '--until', '+2h']);
  assert.match(printed, /flash sale/);

  // Without JavaScript: the sale price, the prior price crossed out, a plain end time. The
  // command wrote from another process, so a copy of the page the server kept (the page
  // cache, README) shows the sale within its lifetime of a second.
  const shown = async () => pounds(await page.locator('[data-testid="price"]').textContent());
  const asked = Date.now();
  await page.goto(product.url);
  while (await shown() !== sale && Date.now() - asked < 3000) {
    await page.waitForTimeout(200);
    await page.goto(product.url);
  }
  assert.equal(await shown(), sale);
  assert.equal(pounds(await page.locator('[data-testid="was-price"]').textContent()), product.price);
  assert.match(await page.locator('[data-testid="prior-price"]').textContent(),
    /Lowest price in the 30 days before this reduction: £/);
  const ends = page.locator('[data-testid="sale-ends"] time');
  assert.match(await ends.textContent(), /^\d{1,2} [A-Z][a-z]{2} \d\d:\d\d UTC$/);
  const datetime = await ends.getAttribute('datetime');
  const left = Date.parse(datetime) - Date.now();
  assert.ok(left > 7_000_000 && left <= 7_205_000, `ends in about 2 h, got ${left} ms`);
  assert.equal(await page.locator('[data-testid="countdown"]').count(), 0, 'no countdown without the bundle');
  const lds = await page.locator('script[type="application/ld+json"]').allTextContents();
  const offer = lds.map((t) => JSON.parse(t)).find((ld) => ld['@type'] === 'Product').offers;
  assert.equal(offer.price, decimal(sale));
  assert.equal(offer.priceSpecification[0].validThrough, datetime);
  assert.equal(offer.priceSpecification[1].priceType, 'https://schema.org/StrikethroughPrice');
  assert.equal(offer.priceSpecification[1].price, decimal(product.price));
  await context.close();

  // With the bundle: a live countdown beside the same end time.
  const js = await store.browser.newContext();
  const live = await js.newPage();
  const problems = watchConsole(live);
  await live.goto(product.url);
  await hydrated(live);
  const countdown = live.locator('[data-testid="countdown"]');
  await countdown.waitFor();
  const first = await countdown.textContent();
  assert.match(first, /\(0?1:59:\d\d left\)|\(02:00:00 left\)/);
  await live.waitForFunction((before) =>
    document.querySelector('[data-testid="countdown"]').textContent !== before, first);
  assert.deepEqual(problems, []);
  await js.close();
});

test('a coupon applied at checkout changes the total and the order records it', async () => {
  vitrine(store.server, ['promo', 'coupon', 'add', 'E2E10', '--percent', '10']);
  assert.match(vitrine(store.server, ['promo', 'list']), /coupon {4}E2E10: 10% off/);
  const context = await store.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await popular(page, 0);
  await page.fill('#qty', '2');
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
  await page.goto(store.server.url + '/checkout');
  await hydrated(page);
  const before = pounds(await page.locator('[data-testid="checkout-total"]').textContent());
  const subtotal = pounds(await page.locator('[data-testid="checkout-subtotal"]').textContent());

  // A wrong code first: the message, the input kept.
  await page.fill('#checkout-email', 'coupon@example.com');
  await page.fill('#checkout-coupon', 'nosuch');
  await page.locator('[data-testid="apply-coupon"]').click();
  await page.waitForURL(/\/checkout\?e=1/);
  assert.match(await page.locator('[data-testid="checkout-error"]').textContent(), /don't recognise the code NOSUCH/);
  assert.equal(await page.inputValue('#checkout-email'), 'coupon@example.com');

  // Enter in the code field applies it (the bundle routes it to "Apply", not "Place order").
  await hydrated(page);
  await page.fill('#checkout-coupon', 'e2e10');
  await page.press('#checkout-coupon', 'Enter');
  await page.waitForURL(/\/checkout$/);
  await hydrated(page);
  const saving = pounds(await page.locator('[data-testid="checkout-coupon"]').textContent());
  assert.equal(saving, Math.floor(subtotal / 10));
  const after = pounds(await page.locator('[data-testid="checkout-total"]').textContent());
  assert.ok(after < before, `the total fell: ${before} -> ${after}`);
  assert.match(await page.locator('[data-testid="coupon-applied"]').textContent(), /Code E2E10 applied/);

  await fillCheckout(page, 'coupon@example.com');
  await page.locator('[data-testid="place-order"]').click();
  await page.waitForURL(/\/orders\/VT\w+\?key=\w+&n=placed/);
  assert.equal(pounds(await page.locator('[data-testid="order-total"]').textContent()), after);
  assert.equal(pounds(await page.locator('[data-testid="order-discount"]').textContent()), saving);
  assert.match(await page.content(), /Savings \(incl\. code E2E10\)/);
  assert.match(vitrine(store.server, ['promo', 'list']), /E2E10: 10% off.*used 1/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a marketer creates a coupon on the promotions page and a shopper\'s total changes with it', async () => {
  addStaff(store.server, 'promo@vitrine.test', 'marketer', 'promotions all year');
  // The console is plain forms: no JavaScript needed.
  const console_ = await store.browser.newContext({ javaScriptEnabled: false });
  const admin = await console_.newPage();
  await admin.goto(store.server.url + '/admin/promotions');
  await admin.waitForURL(/\/admin\/login/);
  await signIn(admin, 'promo@vitrine.test', 'promotions all year');
  await admin.waitForURL(/\/admin\/promotions$/);

  // A refused form first: the message, the typed code kept.
  await admin.fill('#coupon-add-code', 'console15');
  await admin.selectOption('#coupon-add-kind', 'percent');
  await admin.fill('#coupon-add-amount', '0');
  await admin.locator('button', { hasText: 'Create coupon' }).click();
  await admin.locator('[data-testid="promo-error"]').waitFor();
  assert.match(await admin.locator('[data-testid="promo-error"]').textContent(), /from 1 to 100/);
  assert.equal(await admin.inputValue('#coupon-add-code'), 'console15');

  await admin.fill('#coupon-add-amount', '15');
  await admin.fill('#coupon-add-until', '+1d');
  await admin.locator('button', { hasText: 'Create coupon' }).click();
  await admin.waitForURL(/\/admin\/promotions\?n=coupon_add$/);
  const row = admin.locator('tr[data-testid="coupon-row"]', { hasText: 'CONSOLE15' });
  assert.match(await row.textContent(), /15%.*active/);
  await console_.close();

  const context = await store.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await popular(page, 1);
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
  await page.goto(store.server.url + '/checkout');
  await hydrated(page);
  const before = pounds(await page.locator('[data-testid="checkout-total"]').textContent());
  const subtotal = pounds(await page.locator('[data-testid="checkout-subtotal"]').textContent());
  await page.fill('#checkout-email', 'shopper@example.com');
  await page.fill('#checkout-coupon', 'Console15');
  await page.locator('[data-testid="apply-coupon"]').click();
  await page.waitForURL(/\/checkout$/);
  await hydrated(page);
  assert.match(await page.locator('[data-testid="coupon-applied"]').textContent(), /Code CONSOLE15 applied/);
  const saving = pounds(await page.locator('[data-testid="checkout-coupon"]').textContent());
  assert.equal(saving, Math.floor(subtotal * 15 / 100));
  const after = pounds(await page.locator('[data-testid="checkout-total"]').textContent());
  assert.ok(after < before, `the total fell: ${before} -> ${after}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a marketer mixes two products into one multi-buy and a shopper gets it at checkout', async () => {
  addStaff(store.server, 'mix@vitrine.test', 'marketer', 'mix and match all year');
  const context = await store.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  // The dearer one first: a second unit of it always completes the pair at a saving.
  const [first, second] = [await popular(page, 4), await popular(page, 5)]
    .sort((a, b) => b.price - a.price);
  const singly = first.price + second.price;
  const saving = Math.max(1, Math.floor(singly / 10));

  const console_ = await store.browser.newContext({ javaScriptEnabled: false });
  const admin = await console_.newPage();
  await admin.goto(store.server.url + '/admin/promotions');
  await admin.waitForURL(/\/admin\/login/);
  await signIn(admin, 'mix@vitrine.test', 'mix and match all year');
  await admin.waitForURL(/\/admin\/promotions$/);
  await admin.fill('#multibuy-add-sku', `${first.sku.toLowerCase()}, ${second.sku}`);
  await admin.fill('#multibuy-add-qty', '2');
  await admin.fill('#multibuy-add-price', decimal(singly - saving));
  await admin.locator('button', { hasText: 'Save multi-buy' }).click();
  await admin.waitForURL(/\/admin\/promotions\?n=multibuy_add$/);
  const row = admin.locator('tr[data-testid="multibuy-row"]', { hasText: first.sku });
  assert.match(await row.textContent(), new RegExp(`any 2 for £${decimal(singly - saving)}`));

  // The first product's badge names the offer and links the second; the shopper follows it.
  await page.goto(first.url);
  await hydrated(page);
  assert.match(await page.locator('[data-testid="multibuy"]').textContent(),
    /^2 for £[\d.]+: mix any 2 of this and the items below/);
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
  await page.goto(first.url);
  await page.locator(`[data-testid="multibuy-items"] a[href*="variant=${second.sku}"]`).click();
  await page.waitForURL(new RegExp(`variant=${second.sku}$`));
  assert.equal((await page.locator('[data-testid="sku"]').textContent()).trim(), second.sku);
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
  assert.equal(pounds(await page.locator('[data-testid="cart-multibuy"]').textContent()), saving);
  assert.equal(pounds(await page.locator('[data-testid="cart-goods"]').textContent()), singly - saving);

  // Checkout, in the browser, takes the saving off with the server's own arithmetic.
  await page.goto(store.server.url + '/checkout');
  await hydrated(page);
  assert.equal(pounds(await page.locator('[data-testid="checkout-subtotal"]').textContent()), singly);
  assert.equal(pounds(await page.locator('[data-testid="checkout-multibuy"]').textContent()), saving);

  // Another shopper with one unit of the offer is told what a second would save, and the
  // hint's button adds it.
  const other = await store.browser.newContext();
  const shopper = await other.newPage();
  const shopperProblems = watchConsole(shopper);
  await shopper.goto(first.url);
  await hydrated(shopper);
  await shopper.locator('.add-to-cart button[type="submit"]').click();
  await shopper.waitForURL(/\/cart\?n=added/);
  const pairSaving = 2 * first.price - (singly - saving);
  const hint = await shopper.locator('[data-testid="group-hint"]').textContent();
  assert.match(hint, /^Add 1 more .+ to get any 2 for £[\d.]+ and save £[\d.]+\.$/);
  assert.equal(pounds(hint.split(' and save ')[1].replace(/\.$/, '')), pairSaving);
  await shopper.locator('.cart-hints__add button', { hasText: 'Add 1' }).click();
  await shopper.waitForURL(/\/cart\?n=added/);
  assert.equal(pounds(await shopper.locator('[data-testid="cart-multibuy"]').textContent()), pairSaving);
  assert.equal(await shopper.locator('[data-testid="group-hint"]').count(), 0);
  assert.deepEqual(shopperProblems, []);
  await other.close();

  // Removed in the console: the next look at checkout has no saving.
  await row.locator('button', { hasText: 'Remove' }).click();
  await admin.waitForURL(/\/admin\/promotions\?n=multibuy_remove$/);
  assert.equal(await admin.locator('tr[data-testid="multibuy-row"]', { hasText: first.sku }).count(), 0);
  await console_.close();
  await page.goto(store.server.url + '/checkout');
  await hydrated(page);
  assert.equal(await page.locator('[data-testid="checkout-multibuy"]').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
