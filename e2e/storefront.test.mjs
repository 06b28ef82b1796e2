// A shopper browsing the store in Chromium: with the wasm bundle, and with JavaScript off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hydrated, useStore, watchConsole } from './helpers.mjs';

const store = useStore();

test('browse home -> category -> filter -> product -> variant, hydrated, without errors', async () => {
  const context = await store.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);

  await page.goto(store.server.url + '/');
  await hydrated(page);
  assert.match(await page.title(), /Vitrine/);
  assert.ok(await page.locator('.product-grid .product-card').count() > 0, 'popular products on the home page');

  // Category from the navigation: a client-side navigation after hydration.
  const firstCategory = page.locator('.category-nav a').first();
  const categoryName = (await firstCategory.textContent()).trim();
  await firstCategory.click();
  await page.waitForURL(/\/c\//);
  await assert.doesNotReject(page.locator('h1', { hasText: categoryName }).waitFor());
  const allCount = await page.locator('.result-count').textContent();

  // Filter: in stock only.
  await page.locator('input[name="in_stock"]').check();
  await page.locator('.facets button[type="submit"]').click();
  await page.waitForURL(/in_stock=1/);
  const filteredCount = await page.locator('.result-count').textContent();
  assert.ok(parseInt(filteredCount) <= parseInt(allCount), `${filteredCount} <= ${allCount}`);
  assert.equal(await page.locator('.product-card .stock--out').count(), 0, 'no out-of-stock card when filtered');
  await hydrated(page);

  // A product with several variants, through search.
  await page.fill('#site-search', 'jumbo bag strawberry');
  await page.press('#site-search', 'Enter');
  await page.waitForURL(/\/search\?q=/);
  await page.locator('.product-card__link').first().click();
  await page.waitForURL(/\/p\//);
  await hydrated(page);
  const options = page.locator('.variant-picker__option');
  assert.ok(await options.count() > 1, 'the product has variants to pick');

  // Pick another variant: the URL, SKU, price and stock change without a reload.
  await page.evaluate(() => { window.__noReload = true; });
  const target = options.nth(1);
  const href = await target.getAttribute('href');
  const sku = new URL(href, page.url()).searchParams.get('variant');
  await target.click();
  await page.waitForURL(new RegExp(`variant=${sku}`));
  await page.locator('[data-testid="sku"]', { hasText: sku }).waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), true, 'no full page reload');
  assert.equal(await target.getAttribute('aria-current'), 'true');

  // The hydrated page shows what the server renders for that variant.
  const ssr = await (await context.request.get(page.url())).text();
  const price = (await page.locator('[data-testid="price"]').textContent()).trim();
  const stock = (await page.locator('[data-testid="stock"]').textContent()).trim();
  assert.ok(ssr.includes(price), `server-rendered page has the price ${price}`);
  assert.ok(ssr.includes(stock), `server-rendered page has the stock text ${stock}`);

  assert.deepEqual(problems, [], 'no console errors or hydration warnings');
  await context.close();
});

test('with JavaScript disabled every page still shows its content', async () => {
  const context = await store.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  await page.goto(store.server.url + '/');
  assert.ok(await page.locator('.product-card').count() > 0);
  await page.locator('.category-nav a').first().click();
  await page.waitForURL(/\/c\//);
  assert.ok(await page.locator('.product-card').count() > 0, 'category lists products');

  await page.locator('select[name="sort"]').selectOption('price_asc');
  await page.locator('.facets button[type="submit"]').click();
  await page.waitForURL(/sort=price_asc/);
  const prices = await page.locator('.product-card__price').allTextContents();
  const pence = prices.map((p) => Math.round(parseFloat(p.replace(/[^0-9.]/g, '')) * 100));
  assert.deepEqual(pence, [...pence].sort((a, b) => a - b), 'sorted by price without JavaScript');

  await page.locator('.product-card__link').first().click();
  await page.waitForURL(/\/p\//);
  assert.ok((await page.locator('h1.product__title').textContent()).length > 0);
  assert.match(await page.locator('[data-testid="price"]').textContent(), /£\d+\.\d\d/);
  const ld = await page.locator('script[type="application/ld+json"]').allTextContents();
  assert.ok(ld.some((t) => JSON.parse(t)['@type'] === 'Product'), 'JSON-LD Product present');

  await page.goto(store.server.url + '/search?q=jumbo+bag+strawberry');
  await page.locator('.product-card__link').first().click();
  const option = page.locator('.variant-picker__option').nth(1);
  const sku = new URL(await option.getAttribute('href'), page.url()).searchParams.get('variant');
  await option.click();
  await page.waitForURL(new RegExp(`variant=${sku}`));
  assert.equal((await page.locator('[data-testid="sku"]').textContent()).trim(), sku);

  const missing = await page.goto(store.server.url + '/p/not-a-product-00000000');
  assert.equal(missing.status(), 404);
  await context.close();
});
