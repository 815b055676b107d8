// A form posted without its CSRF token is refused with 403 and changes
// nothing; the same form with the token works.
import { check, run, seed, signIn, submit, text, visit } from './lib.mjs';

await run('csrf', async (page) => {
  await signIn(page, seed.enterprise.name, seed.enterprise.password);
  await visit(page, '/portal/tokens?lang=en');
  const before = await page.locator('table.tokens tbody tr').count();

  // Remove the hidden token from the page's form, then post it.
  await page.fill('#label', 'without-csrf');
  const removed = await page.evaluate(() => {
    const field = document.querySelector('form[action="/portal/tokens"] input[name=csrf]');
    if (!field) return false;
    field.remove();
    return true;
  });
  check(removed, 'the form carried a CSRF field');
  const status = await submit(page, 'form[action="/portal/tokens"] button[type=submit]');
  check(status === 403, `the form without its token is refused with 403 (got ${status})`);
  check((await page.content()).includes('CSRF'), 'the page says why');

  await visit(page, '/portal/tokens?lang=en');
  check((await page.locator('table.tokens tbody tr').count()) === before, 'no token was created');
  check(!(await page.content()).includes('without-csrf'), 'the refused label is nowhere');

  // With the token, the same form creates the token and shows it once.
  await page.fill('#label', 'with-csrf');
  const created = await submit(page, 'form[action="/portal/tokens"] button[type=submit]');
  check(created === 201, `the form with its token creates a token (got ${created})`);
  check((await text(page, '#new-token')).length === 43, 'the new secret is shown once');

  // The sign-in form is protected the same way.
  await page.context().clearCookies();
  await visit(page, '/login');
  await page.evaluate(() => document.querySelector('form[action="/login"] input[name=csrf]').remove());
  await page.fill('#name', seed.enterprise.name);
  await page.fill('#password', seed.enterprise.password);
  const login = await submit(page, 'form[action="/login"] button[type=submit]');
  check(login === 403, `the sign-in form without its token is refused with 403 (got ${login})`);
});
