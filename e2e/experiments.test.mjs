// A marketer runs an A/B test of the home hero from the console; shoppers in fresh browsers
// keep their own variant across reloads, the hero looks the same before and after hydration,
// and the results page counts the exposures and an add-to-cart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addStaff, hydrated, signIn, useStore, watchConsole } from './helpers.mjs';

const store = useStore();

const VARIANTS = [
  { name: 'Control', headline: 'Gifts worth giving' },
  { name: 'Warm', headline: 'Presents they will keep' },
];

async function heroOf(page) {
  const hero = page.locator('[data-slot="home-hero"]');
  return {
    headline: (await hero.locator('h1').textContent()).trim(),
    variant: await hero.getAttribute('data-variant'),
  };
}

test('a marketer runs a hero experiment; shoppers keep their variant; results count them', async () => {
  const url = store.server.url;
  addStaff(store.server, 'marketer@vitrine.test', 'marketer', 'a long enough secret');
  const staff = await store.browser.newContext({ javaScriptEnabled: false });
  const console_ = await staff.newPage();
  await console_.goto(url + '/admin/experiments/new');
  await console_.waitForURL(/\/admin\/login/);
  await signIn(console_, 'marketer@vitrine.test', 'a long enough secret');
  await console_.waitForURL(/\/admin\/experiments\/new$/);

  // Two hero variants, even weights.
  await console_.selectOption('#slot', 'home_hero');
  await console_.fill('#name', 'Hero words');
  for (const [i, v] of VARIANTS.entries()) {
    await console_.fill(`#v${i}_name`, v.name);
    await console_.fill(`#v${i}_weight`, '1');
    await console_.fill(`#v${i}_headline`, v.headline);
    await console_.fill(`#v${i}_copy`, `${v.headline}, wrapped and delivered.`);
    await console_.fill(`#v${i}_cta_label`, 'Shop the range');
    await console_.fill(`#v${i}_cta_href`, '/search');
  }
  await console_.locator('button', { hasText: 'Save as draft' }).click();
  await console_.waitForURL(/\/admin\/experiments\/[^/?]+\?n=created$/);
  const results = console_.url().replace(/\?.*$/, '');
  await console_.locator('button', { hasText: 'Start' }).click();
  await console_.waitForURL(/\?n=start$/);

  // Fresh shoppers until both variants have one (the server re-reads experiments every 2 s).
  const shoppers = [];
  const exposed = [0, 0];
  await new Promise((ok) => setTimeout(ok, 2500));
  for (let i = 0; i < 12 && !(shoppers[0] && shoppers[1]); i++) {
    const context = await store.browser.newContext();
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(url + '/');
    await hydrated(page);
    const first = await heroOf(page);
    assert.ok(first.variant !== null, 'the hero is under test');
    const n = Number(first.variant);
    assert.equal(first.headline, VARIANTS[n].headline);
    // The same variant on every reload.
    for (let r = 0; r < 2; r++) {
      await page.reload();
      await hydrated(page);
      assert.deepEqual(await heroOf(page), first);
    }
    assert.deepEqual(problems, [], 'no hydration warnings');
    exposed[n] += 1;
    if (!shoppers[n]) shoppers[n] = { context, page };
    else await context.close();
  }
  assert.ok(shoppers[0] && shoppers[1], `both variants were served: ${exposed}`);

  // Before hydration (the same visitor with JavaScript off: the server's HTML only) and after
  // hydration, the hero is pixel for pixel the same.
  const { context: shopperContext, page: shopper } = shoppers[1];
  const noJs = await store.browser.newContext({ javaScriptEnabled: false });
  await noJs.addCookies(await shopperContext.cookies());
  const before = await noJs.newPage();
  await before.goto(url + '/');
  const beforeShot = await before.locator('[data-slot="home-hero"]').screenshot();
  const afterShot = await shopper.locator('[data-slot="home-hero"]').screenshot();
  assert.ok(beforeShot.equals(afterShot), 'the hero does not change when the bundle hydrates');
  await noJs.close();

  // The Warm shopper adds a product to the cart: a conversion for variant 2.
  await shopper.locator('.product-grid .product-card__link').first().click();
  await shopper.waitForURL(/\/p\//);
  await shopper.locator('.add-to-cart button[type="submit"]').click();
  await shopper.waitForURL(/\/cart/);

  // The results page: each variant's exposures, and the one conversion.
  const row = (name) => console_.locator('tr', { has: console_.locator(`th:text-is("${name}")`) });
  let cells = [];
  for (let i = 0; i < 20; i++) {
    await console_.goto(results);
    cells = await Promise.all(VARIANTS.map(async (v) =>
      (await row(v.name).first().locator('td').allTextContents()).map((t) => t.trim())));
    if (cells[1][1] === '1' && cells.every((c, n) => c[0] === String(exposed[n]))) break;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  assert.equal(cells[0][0], String(exposed[0]), `control visitors: ${cells[0]}`);
  assert.equal(cells[1][0], String(exposed[1]), `treatment visitors: ${cells[1]}`);
  assert.equal(cells[0][1], '0', 'no conversion for the control');
  assert.equal(cells[1][1], '1', 'the add to cart counts for the treatment');

  for (const s of shoppers) await s.context.close();
  await staff.close();
});
