// An officer signs in, approves a filing change, opens a refused list (its
// three-order mismatches field by field) and a held one (the risk rules
// that fired), orders inspection, records a pass (which releases it), and
// sees it released. Screenshots of the main pages are written on the way.
import { check, run, screenshot, seed, signIn, text, visit } from './lib.mjs';

/// Clicks an action button, confirms on the confirmation page, and waits
/// for the page the action leads back to.
async function act(page, button) {
  await Promise.all([page.waitForNavigation(), page.click(button)]);
  check(await page.locator('section.confirm').isVisible(), `${button} asks for confirmation`);
  await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
}

await run('officer', async (page) => {
  await visit(page, '/login');
  await screenshot(page, 'login.png');
  await signIn(page, seed.officer.name, seed.officer.password);
  check(page.url().endsWith('/dashboard'), `an officer lands on the dashboard (at ${page.url()})`);
  check(await page.locator('svg').first().isVisible(), 'the dashboard draws its charts');
  await screenshot(page, 'dashboard.png');

  // The filing change: from the queue to the side-by-side view, approved.
  await visit(page, '/queues/applications');
  const link = page.locator(`a.application-link[href="/applications/${seed.change.id}"]`);
  check(await link.isVisible(), 'the change waits in the applications queue');
  await screenshot(page, 'queue.png');
  await Promise.all([page.waitForNavigation(), link.click()]);
  check((await page.content()).includes(seed.change.address), 'the change shows the new address');
  await act(page, '#approve');
  const state = await text(page, '#application-state');
  check(state.includes('approved') || state.includes('已批准'), `the application is approved (${state})`);

  // A refused list: its mismatch, field by field.
  await visit(page, `/documents/${seed.refused_list.id}`);
  const mismatches = await text(page, '#mismatches');
  const field = seed.refused_list.field.split('.').pop();
  check(mismatches.includes(field), `the mismatch names ${field} (${mismatches})`);
  check(await page.locator('#side-by-side td.mismatch').first().isVisible(), 'the mismatching field is highlighted');

  // The held list, from the queue of lists in manual review.
  await visit(page, '/queues/lists?status=manual_review');
  const held = page.locator(`a.doc-link[href="/documents/${seed.held_list.id}"]`);
  check(await held.isVisible(), 'the held list is in the manual review queue');
  await Promise.all([page.waitForNavigation(), held.click()]);
  check((await text(page, '#doc-status')).includes('300'), 'the list is held for review (300)');
  check((await text(page, '#rules-fired')).includes(seed.held_list.rule), `the rule ${seed.held_list.rule} fired`);
  check((await text(page, '#risk-lane')).includes('yellow'), 'the lane is yellow');
  check(await page.locator('#mismatches-none').isVisible(), 'the held list has no mismatch');
  await screenshot(page, 'list.png');

  // Inspection, then a pass: released.
  await page.fill('#reason-inspect', 'documents do not explain the declared value');
  await act(page, '#action-inspect');
  check((await text(page, '#doc-status')).includes('500'), 'under inspection (500)');
  await page.fill('#reason-inspection_passed', 'goods as declared');
  await act(page, '#action-inspection_passed');
  check((await text(page, '#doc-status')).includes('800'), 'released (800)');
  const moves = await text(page, '#moves');
  check(moves.includes('goods as declared'), 'the pass is in the status history');
});
