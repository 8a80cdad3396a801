// Over serve mode on a seeded library: search, edit a caption, reload — the edit is there and the
// history holds the old text; undo brings the old text back.
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe();
export const teardown = (server) => server.stop();

export const tests = [
  {
    name: 'the library shows the seeded images over HTTP',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByRole('heading', { name: 'Caption Studio' }).waitFor();
      await page.getByText('4 images').waitFor();
      assert((await page.locator('.transport').textContent()) === 'http', 'transport is http');
      assert((await page.locator('.card img').count()) === 4, 'four cards with images');
      await page.waitForFunction(() =>
        [...document.querySelectorAll('.card img')].every((i) => i.complete && i.naturalWidth > 0),
      );
      await screenshot(page, 'library');
    },
  },
  {
    name: 'search, edit, reload: the edit stays and the history has the old text',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByLabel('Search captions').fill('taxi');
      await page.getByText('1 images').waitFor();
      await page.locator('.card').first().click();
      const box = page.getByLabel(/^Caption \d+$/).first();
      assert((await box.inputValue()) === 'a yellow taxi in the rain', 'the caption of the found image');
      await box.fill('a yellow taxi waiting in the rain');
      await box.press('Enter');
      await page.getByRole('status').getByText('Saved').waitFor();
      await page.reload();
      await page.getByLabel('Search captions').fill('waiting');
      await page.getByText('1 images').waitFor();
      await page.locator('.card').first().click();
      assert(
        (await page
          .getByLabel(/^Caption \d+$/)
          .first()
          .inputValue()) === 'a yellow taxi waiting in the rain',
        'edit persisted',
      );
      const history = page.getByRole('list', { name: 'History' });
      await history.locator('.old', { hasText: 'a yellow taxi in the rain' }).waitFor();
      await screenshot(page, 'editor');
      await page.getByRole('button', { name: 'Undo' }).click();
      await page.getByRole('status').getByText('Undone').waitFor();
      assert(
        (await page
          .getByLabel(/^Caption \d+$/)
          .first()
          .inputValue()) === 'a yellow taxi in the rain',
        'undo restores',
      );
    },
  },
];
