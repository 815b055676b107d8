// An enterprise signs in, opens its portal and sees the rejection of its
// bad message: the code, the field (in both languages) and the fix hint.
import { check, run, screenshot, seed, signIn, text, visit } from './lib.mjs';

await run('enterprise', async (page) => {
  const e = seed.enterprise;
  await signIn(page, e.name, e.password);
  await visit(page, '/portal');
  check((await page.content()).includes(e.code), 'the portal names the enterprise by its code');
  check(await page.locator('table.record').isVisible(), 'the filing record is shown');
  await screenshot(page, 'portal.png');

  await page.click('nav.portal-nav a[href="/portal/messages"]');
  await page.waitForURL('**/portal/messages');
  const finding = page.locator(`article.receipt.rejected tr.finding[data-code="${e.rejected_code}"]`).first();
  check(await finding.isVisible(), `the rejection shows the code ${e.rejected_code}`);
  const field = await finding.locator('td.field').innerText();
  check(field.includes(e.rejected_path), `the field path ${e.rejected_path} is shown (got ${field})`);
  check(field.includes(e.rejected_field_zh) && field.includes(e.rejected_field),
    `the field is named in both languages (got ${field})`);
  const hint = await finding.locator('td.hint').innerText();
  check(hint.includes('qty × price'), `the fix hint says what to do (got ${hint})`);
  await finding.scrollIntoViewIfNeeded();
  await screenshot(page, 'rejection.png');

  // The same in English.
  await page.click('a[href="?lang=en"]');
  await page.waitForURL('**/portal/messages?lang=en');
  const hintEn = await page.locator(`tr.finding[data-code="${e.rejected_code}"] td.hint`).first().innerText();
  check(hintEn.includes('Set totalPrice to qty × price'), `the English hint (got ${hintEn})`);
  check((await text(page, 'table.findings thead')).includes('How to fix it'), 'English column heads');

  // The document behind the receipt: its status history and the receipt.
  await page.locator(`article.receipt.rejected:has(tr.finding[data-code="${e.rejected_code}"]) h3 a`).first().click();
  await page.waitForURL('**/portal/documents/**');
  check(await page.locator(`tr.finding[data-code="${e.rejected_code}"]`).first().isVisible(), 'the document shows the rejection');
  check((await text(page, 'td.status')).includes('Rejected'), 'the document is rejected');

  // Another enterprise's document is not found.
  await visit(page, `/portal/documents/${seed.foreign_document}`, 404);
  // Back to Chinese for the next flows.
  await visit(page, '/portal?lang=zh');
});
