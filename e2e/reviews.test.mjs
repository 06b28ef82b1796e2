// Product reviews: a shopper buys a product, the warehouse delivers it (`vitrine order
// advance`), the shopper reviews it from the order page, and the product page shows the
// review as text (markup typed into it stays text, nothing runs); staff hide it with
// `vitrine review hide`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillCheckout, hydrated, useStore, vitrine, watchConsole } from './helpers.mjs';

const store = useStore();

test('a buyer reviews a delivered product and the product page shows it as text', async () => {
  const context = await store.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });

  await page.goto(store.server.url + '/');
  await page.locator('.product-grid .product-card__link').nth(6).click();
  await page.waitForURL(/\/p\//);
  const productUrl = page.url().split('?')[0];
  const title = (await page.locator('h1').textContent()).trim();
  assert.match(await page.locator('[data-testid="reviews-summary"]').textContent(), /^No reviews yet/);
  await page.locator('.add-to-cart button[type="submit"]').click();
  await page.waitForURL(/\/cart\?n=added/);
  await page.goto(store.server.url + '/checkout');
  await hydrated(page);
  await fillCheckout(page, 'reviewer@example.com');
  await page.locator('[data-testid="place-order"]').click();
  await page.waitForURL(/\/orders\/VT\w+\?key=\w+&n=placed/);
  const orderUrl = page.url().replace(/&n=placed$/, '');
  const number = (await page.locator('h1').textContent()).replace('Order ', '').trim();
  assert.equal(await page.locator('.review-form').count(), 0, 'no reviews before delivery');

  for (const status of ['packed', 'shipped', 'delivered']) {
    vitrine(store.server, ['order', 'advance', number, status]);
  }
  await page.goto(orderUrl);
  await hydrated(page);
  await page.locator('summary', { hasText: `Review ${title}` }).click();
  const form = page.locator('.review-form');
  await form.locator('select[name="rating"]').selectOption('4');
  await form.locator('input[name="author"]').fill('Grace <b>H</b>');
  const text = 'Sturdy and bright. <img src=x onerror=alert(1)>\nWould buy again.';
  await form.locator('textarea[name="body"]').fill(text);
  await form.locator('button', { hasText: 'Publish review' }).click();
  await page.waitForURL(/&n=reviewed$/);
  assert.match(await page.locator('[data-testid="order-notice"]').textContent(), /Your review is on the product page/);
  assert.equal((await page.locator('[data-testid="reviewed"]').textContent()).trim(), `${title}: you gave it ★★★★☆`);

  await page.goto(productUrl);
  await hydrated(page);
  assert.equal((await page.locator('[data-testid="reviews-summary"]').textContent()).trim(), '4.0 out of 5 from 1 review');
  const review = page.locator('[data-testid="review"]');
  assert.equal(await review.count(), 1);
  assert.equal((await review.locator('.review__body').textContent()).trim(), text);
  assert.match(await review.textContent(), /Grace <b>H<\/b>.*Verified purchase/);
  assert.equal(await review.locator('img, b').count(), 0, 'typed markup stays text');
  assert.equal(await review.locator('[role="img"]').getAttribute('aria-label'), '4 out of 5 stars');

  // Staff hide it from the command line; the page no longer lists it (a page kept by the
  // page cache for a second may show it until then).
  const id = vitrine(store.server, ['review', 'list']).split('\n').find((l) => l.includes(number)).split(/\s+/)[0];
  assert.match(vitrine(store.server, ['review', 'hide', id]), /hidden/);
  let summary = '';
  for (let i = 0; i < 10 && !summary.startsWith('No reviews yet'); i++) {
    await page.waitForTimeout(300);
    await page.goto(productUrl);
    summary = (await page.locator('[data-testid="reviews-summary"]').textContent()).trim();
  }
  assert.match(summary, /^No reviews yet/);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await context.close();
});
