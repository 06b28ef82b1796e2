// Product reviews: a shopper buys a product, the warehouse delivers it (`vitrine order
// advance`), the shopper reviews it from the order page, and the product page shows the
// review as text (markup typed into it stays text, nothing runs); a marketer hides it on the
// console's reviews page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addStaff, fillCheckout, hydrated, signIn, useStore, vitrine, watchConsole } from './helpers.mjs';

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

  // A marketer hides it on the console's reviews page (JavaScript off); the product page
  // drops it at once, and the command line lists it as hidden.
  addStaff(store.server, 'moderator@vitrine.test', 'marketer', 'quiet reviews only please');
  const console_ = await store.browser.newContext({ javaScriptEnabled: false });
  const admin = await console_.newPage();
  await admin.goto(store.server.url + '/admin/reviews');
  await admin.waitForURL(/\/admin\/login/);
  await signIn(admin, 'moderator@vitrine.test', 'quiet reviews only please');
  await admin.waitForURL(/\/admin\/reviews$/);
  const row = admin.locator('tr[data-testid="review-row"]', { hasText: 'Sturdy and bright.' });
  assert.match(await row.textContent(), /Grace <b>H<\/b>[\s\S]*Shown/);
  await row.locator('button', { hasText: 'Hide' }).click();
  await admin.waitForURL(/\/admin\/reviews\?n=hidden$/);
  assert.match(await admin.locator('tr[data-testid="review-row"]').first().textContent(), /Hidden/);
  await console_.close();
  await page.goto(productUrl);
  assert.match(await page.locator('[data-testid="reviews-summary"]').textContent(), /^No reviews yet/);
  assert.equal(await page.locator('[data-testid="review"]').count(), 0);
  const listed = vitrine(store.server, ['review', 'list']).split('\n').find((l) => l.includes(number));
  assert.match(listed, /hidden/);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await context.close();
});
