// Shared by the e2e tests: start a real Vitrine server on a free port with a fresh SQLite
// database (the demo catalogue is imported on first start), and launch Debian's Chromium.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
export const vitrineBin = process.env.VITRINE_BIN ?? join(root, 'target/release/vitrine');

// Runs the `vitrine` command against a test server's database (as an operator would) and
// returns what it printed.
export function vitrine(server, args) {
  return execFileSync(vitrineBin, args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: server.databaseUrl, RUST_LOG: 'warn' },
    encoding: 'utf8',
  });
}

// `args` go to `vitrine serve`; the background training job is off unless they turn it on.
// Adds a staff account with `vitrine staff add` (the password on standard input).
export function addStaff(server, email, role, password) {
  execFileSync(vitrineBin, ['staff', 'add', email, '--role', role], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: server.databaseUrl, RUST_LOG: 'warn' },
    input: password + '\n',
    encoding: 'utf8',
  });
}

// Fills the checkout form (already open in `page`) as a UK shopper paying with `card`.
export async function fillCheckout(page, email, card = '4242 4242 4242 4242') {
  await page.fill('#checkout-email', email);
  await page.fill('#checkout-name', 'Ada Lovelace');
  await page.fill('#checkout-line1', '12 St James\'s Square');
  await page.fill('#checkout-city', 'London');
  await page.fill('#checkout-postcode', 'SW1Y 4JH');
  await page.selectOption('#checkout-country', 'United Kingdom');
  await page.fill('#checkout-card_number', card);
  await page.fill('#checkout-card_expiry', '12/40');
  await page.fill('#checkout-card_cvc', '123');
}

// Signs in on the console's sign-in page (already open in `page`).
export async function signIn(page, email, password) {
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.locator('button', { hasText: 'Sign in' }).click();
}

export async function startServer(args = []) {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-e2e-'));
  const databaseUrl = `sqlite://${join(dir, 'e2e.db')}?mode=rwc`;
  const child = spawn(vitrineBin, [
    'serve',
    '--addr', '127.0.0.1:0',
    '--site-dir', process.env.VITRINE_E2E_SITE_DIR ?? join(root, 'dist'),
    '--seed-csv', join(root, 'data/seed/online_retail_2010-12-01_to_2010-12-20.csv'),
    ...(args.includes('--train-every-hours') ? [] : ['--train-every-hours', '0']),
    ...args,
  ], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the server did not start within 120 s')), 120_000);
    child.on('exit', (code) => fail(new Error(`the server exited with ${code}`)));
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/serving at (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
  });
  return {
    url,
    databaseUrl,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => child.once('exit', ok));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// Collects console errors, warnings about hydration, and uncaught exceptions of a page.
export function watchConsole(page) {
  const problems = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' || /hydrat/i.test(text)) problems.push(`${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

// Resolves once the wasm bundle has hydrated the page.
export async function hydrated(page) {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 });
}

// Registers hooks that start a store and a browser for the test file; fields fill in `before`.
export function useStore(args = []) {
  const store = {};
  before(async () => {
    store.server = await startServer(args);
    store.browser = await launchBrowser();
  });
  after(async () => {
    await store.browser?.close();
    await store.server?.stop();
  });
  return store;
}
