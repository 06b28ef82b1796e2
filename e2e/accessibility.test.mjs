// axe-core's WCAG 2.1 A/AA rules on every kind of page, as rendered by the server and hydrated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, useStore } from './helpers.mjs';

const store = useStore();

const pages = [
  ['home', '/'],
  ['category', '/c/kitchen-dining'],
  ['filtered category', '/c/kitchen-dining?in_stock=1&colour=red&sort=price_asc'],
  ['search', '/search?q=heart'],
  ['no search result', '/search?q=zzzzqqqq'],
  ['product', null],
  ['cart', '/cart'],
  ['checkout', 'with-an-item'],
  ['order lookup', '/orders'],
  ['not found', '/p/not-a-product-00000000'],
];

for (const [name, path] of pages) {
  test(`no WCAG A/AA violations: ${name}`, async () => {
    const context = await store.browser.newContext();
    const page = await context.newPage();
    let target = path;
    if (target === null) {
      await page.goto(store.server.url + '/');
      target = await page.locator('.product-card__link').first().getAttribute('href');
    } else if (target === 'with-an-item') {
      await page.goto(store.server.url + '/');
      await page.locator('.product-card__link').first().click();
      await page.locator('.add-to-cart button[type="submit"]').click();
      await page.waitForURL(/\/cart\?n=added/);
      target = '/checkout';
    }
    await page.goto(store.server.url + target);
    await hydrated(page);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const report = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
    assert.deepEqual(report, []);
    await context.close();
  });
}
