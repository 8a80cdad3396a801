// The editor's History over serve mode on the seeded library: an undo (Ctrl+Z) and a redo
// (Ctrl+Shift+Z) each show as an entry of their own with the text they brought back, the undone
// edit stays listed, and a long caption in an undo entry is folded until asked.
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe();
export const teardown = (suite) => suite.stop();

/** The History entry of `kind` (the newest first) that holds `text` as the text it brought. */
const entry = (page, kind, text) =>
  page
    .getByRole('list', { name: 'History' })
    .locator('li')
    .filter({ has: page.locator('.kind', { hasText: new RegExp(`^${kind}$`) }) })
    .filter({ has: page.locator('.new', { hasText: text }) })
    .first();

async function edit(page, box, text) {
  await box.fill(text);
  await box.press('Enter');
  await page
    .getByRole('list', { name: 'History' })
    .locator('li')
    .filter({ has: page.locator('.kind', { hasText: /^edit$/ }) })
    .filter({ has: page.locator('.new', { hasText: text }) })
    .first()
    .waitFor({ state: 'attached' });
}

async function key(page, combo) {
  // Off the caption box: Ctrl+Z in a text box is the browser's own undo of the typing.
  await page.locator('h2', { hasText: 'History' }).click();
  await page.keyboard.press(combo);
}

export const tests = [
  {
    name: 'an undo and a redo are History entries with the text they restored; the edit stays listed',
    async run({ page, suite }) {
      await page.goto(`${suite.url}#library/image/1`);
      const box = page.getByLabel(/^Caption \d+$/).first();
      await box.waitFor();
      assert((await box.inputValue()) === 'a red square on a white wall', 'the seeded caption');
      await edit(page, box, 'a red square, edited then undone');

      await key(page, 'Control+z');
      await page.getByRole('status').getByText('Undone: Edit caption').waitFor();
      const undo = entry(page, 'undo', 'a red square on a white wall');
      await undo.waitFor();
      assert((await box.inputValue()) === 'a red square on a white wall', 'the caption is back');
      const u = await undo.textContent();
      assert(u.includes('a red square, edited then undone'), `the undo entry shows what it took back: ${u}`);
      assert(u.includes('Edit caption'), `the undo entry names the step: ${u}`);
      // Nothing lost: the edit is still listed, marked undone, below the undo entry.
      const items = page.getByRole('list', { name: 'History' }).locator('li');
      const kinds = await items.locator('.kind').allTextContents();
      assert(kinds[0] === 'undo' && kinds[1] === 'edit', `newest first: ${kinds.join(', ')}`);
      assert(
        (await items.nth(1).locator('.undone-tag').count()) === 1 &&
          (await items.nth(1).locator('.new').textContent()) === 'a red square, edited then undone',
        'the undone edit stays, marked undone',
      );
      await screenshot(page, 'history-undo');

      await key(page, 'Control+Shift+z');
      await page.getByRole('status').getByText('Redone: Edit caption').waitFor();
      await entry(page, 'redo', 'a red square, edited then undone').waitFor();
      assert((await box.inputValue()) === 'a red square, edited then undone', 'the edit is made again');
      const after = await page.getByRole('list', { name: 'History' }).locator('li .kind').allTextContents();
      assert(
        after.slice(0, 3).join(',') === 'redo,undo,edit',
        `the redo on top of the undo and the edit: ${after.join(', ')}`,
      );
    },
  },
  {
    name: 'a long caption in an undo entry is folded until asked',
    async run({ page, suite }) {
      await page.goto(`${suite.url}#library/image/2`);
      const box = page.getByLabel(/^Caption \d+$/).first();
      await box.waitFor();
      const long = 'a green field under a grey sky with a long row of poplars along a stony farm track';
      await edit(page, box, long);
      await key(page, 'Control+z');
      const undo = entry(page, 'undo', 'a green field under a grey sky');
      await undo.waitFor();
      assert(await undo.evaluate((li) => li.classList.contains('folded')), 'the long undo entry is folded');
      await undo.getByRole('button', { name: 'more' }).click();
      assert(!(await undo.evaluate((li) => li.classList.contains('folded'))), 'unfolded on request');
    },
  },
];
