// Shared helpers of the browser tests: launch the system's headless
// Chromium through playwright-core (never a downloaded browser), sign in
// through the real form, take screenshots, and fail loudly.
//
// Every script reads its settings from the environment the Rust test
// (crates/cbec-cli/tests/browser_e2e.rs) sets:
//   CBEC_BASE_URL     the running `cbec serve`, e.g. http://127.0.0.1:40123
//   CBEC_SCREENSHOTS  the directory screenshots are written to
//   CBEC_SEED         JSON: the accounts and documents the test seeded
//   CBEC_CHROMIUM     the browser (default /usr/bin/chromium)

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const base = required('CBEC_BASE_URL');
export const seed = JSON.parse(required('CBEC_SEED'));
const shots = required('CBEC_SCREENSHOTS');
mkdirSync(shots, { recursive: true });

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run through cargo test -p cbec-cli --test browser_e2e)`);
  return value;
}

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/// Runs one flow in a fresh browser; exits non-zero on any failure.
export async function run(name, flow) {
  const started = Date.now();
  const browser = await chromium.launch({
    executablePath: process.env.CBEC_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await flow(page);
    check(errors.length === 0, `no script errors on the pages: ${errors.join('; ')}`);
    console.log(`${name}: ok in ${Date.now() - started} ms`);
  } catch (e) {
    await page.screenshot({ path: join(shots, `FAILED-${name}.png`), fullPage: true }).catch(() => {});
    console.error(`${name}: FAILED at ${page.url()}\n${e.stack || e}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

export async function screenshot(page, file) {
  await page.screenshot({ path: join(shots, file), fullPage: true });
}

/// Goes to a path of the service and checks the answer's status.
export async function visit(page, path, status = 200) {
  const response = await page.goto(base + path);
  check(response && response.status() === status, `GET ${path} answers ${status}, not ${response && response.status()}`);
  return response;
}

/// Signs in through the sign-in form; lands on the home page.
export async function signIn(page, name, password) {
  await visit(page, '/login');
  await page.fill('#name', name);
  await page.fill('#password', password);
  const [response] = await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  check(response && response.ok(), `signed in as ${name} (${response && response.status()} at ${page.url()})`);
  check(!page.url().endsWith('/login'), `left the sign-in page as ${name}`);
}

/// Submits a form by its button and waits for the next page; its status.
export async function submit(page, button) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(button)]);
  return response ? response.status() : 0;
}

export async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}
