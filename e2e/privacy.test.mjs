// The privacy page's switch "Personalised recommendations: on/off", with JavaScript on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hydrated, useStore, watchConsole } from './helpers.mjs';

const store = useStore();

for (const javaScriptEnabled of [true, false]) {
  test(`the personalisation switch turns off and on (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const context = await store.browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(store.server.url + '/');
    await page.locator('a[href="/privacy"]').click();
    await page.waitForURL(/\/privacy$/);
    if (javaScriptEnabled) await hydrated(page);
    const state = page.locator('[data-testid="personalise-state"]');
    assert.match(await state.textContent(), /: on$/);
    await page.locator('[data-testid="personalise-switch"]').click();
    await page.locator('[data-testid="personalise-state"]', { hasText: ': off' }).waitFor();
    const cookies = await context.cookies();
    const cookie = cookies.find((c) => c.name === 'personalise');
    assert.equal(cookie?.value, 'off');
    assert.ok(cookie.httpOnly && cookie.sameSite === 'Lax');
    await page.locator('[data-testid="personalise-switch"]').click();
    await page.locator('[data-testid="personalise-state"]', { hasText: ': on' }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
}
