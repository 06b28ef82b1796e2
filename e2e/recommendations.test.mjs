// A shopper's home page learns from what they look at, from the published model the
// background job trains on start; the personalisation switch takes it back to the popular list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hydrated, useStore, watchConsole } from './helpers.mjs';

// The job's first round starts at once on a store with no published model.
const store = useStore(['--train-every-hours', '24']);

// Waits (up to 4 minutes) until a product page's slot is ranked by a published model. Plain
// fetch without cookies: the shopper's browser must not have viewed anything yet.
async function modelInService(url) {
  const home = await (await fetch(url + '/')).text();
  const product = home.match(/href="(\/p\/[^"]+)"/)[1];
  for (let i = 0; i < 240; i++) {
    const html = await (await fetch(url + product)).text();
    const source = html.match(/data-testid="recs-product"[^>]*data-source="([^"]+)"/);
    if (source && source[1].startsWith('model-')) return source[1];
    await new Promise((ok) => setTimeout(ok, 1000));
  }
  throw new Error('no model in service after 4 minutes');
}

const cards = (page, section) =>
  page.locator(`${section} .product-card__link`).evaluateAll((links) => links.map((a) => a.getAttribute('href')));

test('viewing three products of one kind changes the home recommendations; switching off restores the popular list', async () => {
  const context = await store.browser.newContext();
  const model = await modelInService(store.server.url);
  const page = await context.newPage();
  const problems = watchConsole(page);

  // A new visitor: no history, so no personal list; the popular list is what the home shows.
  await page.goto(store.server.url + '/');
  await hydrated(page);
  assert.equal(await page.locator('[data-testid="recs-home"]').count(), 0);
  const popular = await cards(page, 'section[aria-labelledby="popular-heading"]');
  assert.ok(popular.length >= 4, `${popular}`);

  // Three products of one category, opened from the category page as a shopper would.
  const category = page.locator('.category-nav a').nth(2);
  await category.click();
  await page.waitForURL(/\/c\//);
  await hydrated(page);
  const listing = page.url();
  const viewed = [];
  for (let i = 0; i < 3; i++) {
    const link = page.locator('.product-card__link').nth(i);
    viewed.push(await link.getAttribute('href'));
    await link.click();
    await page.waitForURL(/\/p\//);
    await page.locator('h1').waitFor();
    await page.goto(listing);
  }

  // The home page now leads with a personal list from the model, different from the popular one.
  await page.goto(store.server.url + '/');
  await hydrated(page);
  const slot = page.locator('[data-testid="recs-home"]');
  await slot.waitFor();
  assert.match(await slot.locator('h2').textContent(), /Recommended for you/);
  assert.equal(await slot.getAttribute('data-source'), model);
  const personal = await cards(page, '[data-testid="recs-home"]');
  assert.equal(personal.length, 4);
  assert.notDeepEqual(personal, popular.slice(0, 4), 'the recommendations changed');
  for (const href of viewed) assert.ok(!personal.includes(href), `${href} was just viewed`);

  // Personalisation off (the link in the slot leads to the switch): back to the popular list.
  await slot.locator('a[href="/privacy"]').click();
  await page.waitForURL(/\/privacy$/);
  await hydrated(page);
  await page.locator('[data-testid="personalise-switch"]').click();
  await page.locator('[data-testid="personalise-state"]', { hasText: ': off' }).waitFor();
  await page.goto(store.server.url + '/');
  await hydrated(page);
  assert.equal(await page.locator('[data-testid="recs-home"]').count(), 0);
  assert.deepEqual(await cards(page, 'section[aria-labelledby="popular-heading"]'), popular);

  assert.deepEqual(problems, []);
  await context.close();
});
