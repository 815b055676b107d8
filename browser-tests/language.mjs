// The language switch: the sign-in page and the portal change between
// Chinese and English, and the choice is remembered across pages.
import { check, run, seed, signIn, text, visit } from './lib.mjs';

await run('language', async (page) => {
  await visit(page, '/login');
  check((await page.getAttribute('html', 'lang')) === 'zh-CN', 'Chinese by default');
  check((await text(page, 'h1')) === '登录', 'the Chinese heading');
  await page.click('a[href="?lang=en"]');
  await page.waitForURL('**/login?lang=en');
  check((await page.getAttribute('html', 'lang')) === 'en', 'English after the switch');
  check((await text(page, 'h1')) === 'Sign in', 'the English heading');
  check((await text(page, 'label[for=password]')) === 'Password', 'English labels');

  // Remembered: the next page is English without ?lang.
  await signIn(page, seed.enterprise.name, seed.enterprise.password);
  await visit(page, '/portal');
  check((await page.getAttribute('html', 'lang')) === 'en', 'the choice is remembered');
  check((await text(page, 'h1')) === 'Filing record', 'the portal in English');
  check((await page.content()).includes('Unified social credit code (USCC)'), 'field names in English');

  await page.click('a[href="?lang=zh"]');
  await page.waitForURL('**/portal?lang=zh');
  check((await page.getAttribute('html', 'lang')) === 'zh-CN', 'back to Chinese');
  check((await text(page, 'h1')) === '备案概况', 'the portal in Chinese');
  check((await page.content()).includes('统一社会信用代码 USCC'), 'field names in Chinese with the spec name');
});
