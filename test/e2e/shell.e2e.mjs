// Over serve mode on a seeded library: the library grid, search then edit with autosave, reload,
// undo/redo, approving from the keyboard, find & replace with preview then undo, history restore.
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe();
export const teardown = (server) => server.stop();

const captionBox = (page) => page.getByLabel(/^Caption \d+$/).first();
const saved = (page) =>
  page.waitForFunction(() =>
    [...document.querySelectorAll('.saved')].every((s) => s.dataset.state === 'saved'),
  );

async function openFirst(page, search) {
  await page.getByLabel('Search captions').fill(search);
  await page.getByText('1 image', { exact: true }).waitFor();
  await page.locator('.card').first().click();
  await captionBox(page).waitFor();
}

export const tests = [
  {
    name: 'the library shows the seeded images over HTTP',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByRole('heading', { name: 'Caption Studio' }).waitFor();
      await page.getByText('4 images').waitFor();
      assert((await page.locator('.transport').textContent()) === 'http', 'transport is http');
      // Thumbnails come once the results have stayed 150 ms: wait for all four, loaded.
      await page.waitForFunction(() => {
        const imgs = [...document.querySelectorAll('.card img')];
        return imgs.length === 4 && imgs.every((i) => i.complete && i.naturalWidth > 0);
      });
      await screenshot(page, 'library');
    },
  },
  {
    name: 'search, edit with autosave, reload: the edit stays; undo and redo',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await openFirst(page, 'taxi');
      assert(
        (await captionBox(page).inputValue()) === 'a yellow taxi in the rain',
        'the caption of the found image',
      );
      await captionBox(page).fill('a yellow taxi waiting in the rain');
      await page.locator('.saved[data-state="unsaved"]').waitFor();
      await saved(page); // autosaved after a pause, no Enter pressed
      await page.reload();
      // The reload comes back to the open image (its place is in the URL).
      await captionBox(page).waitFor();
      assert((await captionBox(page).inputValue()) === 'a yellow taxi waiting in the rain', 'edit persisted');
      await page
        .getByRole('list', { name: 'History' })
        .locator('.old', { hasText: 'a yellow taxi in the rain' })
        .waitFor();
      await screenshot(page, 'editor');
      await page.locator('body').click({ position: { x: 5, y: 300 } });
      await page.keyboard.press('Control+z');
      await page.waitForFunction(
        () => document.querySelector('textarea')?.value === 'a yellow taxi in the rain',
      );
      await page.keyboard.press('Control+Shift+z');
      await page.waitForFunction(
        () => document.querySelector('textarea')?.value === 'a yellow taxi waiting in the rain',
      );
    },
  },
  {
    name: 'approve from the keyboard in the grid',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('4 images').waitFor();
      await page.getByRole('grid', { name: 'Images' }).focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('a');
      await page.getByRole('status').getByText('1 caption approved').waitFor();
      await page.getByLabel('Status').selectOption('approved');
      await page.getByText('1 image', { exact: true }).waitFor();
      assert(
        (await page.locator('.card .caption').first().textContent()) === 'a green field under a grey sky',
        'the second image',
      );
      // Space selects, then r rejects everything selected.
      await page.getByLabel('Status').selectOption('');
      await page.getByText('4 images').waitFor();
      await page.getByRole('grid', { name: 'Images' }).focus();
      await page.keyboard.press('Space');
      await page.keyboard.press('Shift+ArrowRight');
      await page.keyboard.press('r');
      await page.getByRole('status').getByText('3 captions rejected').waitFor();
    },
  },
  {
    name: 'find & replace: preview every change, apply, then undo',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('4 images').waitFor();
      await page.keyboard.press('Control+h');
      await page.getByLabel('Find', { exact: true }).fill('a ');
      await page.getByLabel('Replace with').fill('one ');
      await page.getByRole('button', { name: 'Preview' }).click();
      const summary = page.getByTestId('preview-summary');
      await summary.waitFor();
      const n = Number((await summary.textContent()).split(' ')[0]);
      assert(n === 5, `five captions start with "a ", got ${n}`);
      await screenshot(page, 'find-replace');
      // Leave the first change out.
      await page.getByRole('list', { name: 'Preview' }).getByRole('checkbox').first().uncheck();
      await page.getByRole('button', { name: 'Apply 4 changes' }).click();
      await page.getByRole('status').getByText('Replaced in 4 captions').waitFor();
      // Four images hold a changed caption (the first image keeps one of its two unchanged).
      await page.getByLabel('Search captions').fill('one');
      await page.getByText('4 images').waitFor();
      await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
      await page
        .getByRole('status')
        .getByText(/Undone: Replace/)
        .waitFor();
      await page.getByLabel('Search captions').fill('one ');
      await page.getByLabel('Search captions').fill('one');
      await page.getByText('0 images').waitFor();
    },
  },
  {
    name: 'restore an old caption from the history',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await openFirst(page, 'lake');
      await captionBox(page).fill('a lake');
      await captionBox(page).press('Enter');
      await saved(page);
      const created = page.getByRole('list', { name: 'History' }).locator('li', { hasText: 'create' });
      await created.getByRole('button', { name: 'Restore' }).click();
      await page.waitForFunction(() => document.querySelector('textarea')?.value === 'a blue lake at dawn');
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await screenshot(page, 'shortcuts');
    },
  },
  {
    name: 'the health panel finds the look-alike photos and shows them in the grid',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('4 images').waitFor();
      await page.getByRole('button', { name: 'Health' }).click();
      const panel = page.getByRole('dialog', { name: 'Dataset health' });
      await panel.getByLabel('Health summary').waitFor();
      // The red and the green square share a layout: one near-duplicate group of two.
      assert(
        (await panel.getByTestId('leaks').textContent()) === '0',
        'all seeded photos are in train: no leak',
      );
      await screenshot(page, 'health');
      await panel
        .getByRole('listitem')
        .filter({ hasText: '2 images' })
        .getByRole('button', { name: 'Show' })
        .click();
      await page.getByText('Showing near duplicates').waitFor();
      await page.getByText('2 images').waitFor();
      const shown = await page.locator('.card .caption').allTextContents();
      assert(
        shown.join(' | ') === 'a red square on a white wall | a green field under a grey sky',
        `the two look-alikes are shown (${shown.join(' | ')})`,
      );
      await page.getByRole('button', { name: 'Show all images' }).click();
      await page.getByText('Showing near duplicates').waitFor({ state: 'detached' });
    },
  },
];
