// Train from the UI over serve mode on a small shapes set, watch the run finish with test metrics,
// then caption a new photo with it and see a heatmap for a word; draft library captions with it
// and accept one in the editor.
import sharp from 'sharp';
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export const setup = () => startServe({ shapes: 60 });
export const teardown = (suite) => suite.stop();

export const tests = [
  {
    name: 'train a run from the Runs page, then caption a dropped photo with per-word heatmaps',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByRole('button', { name: 'Runs' }).click();
      // A full run with a wrong weights path is refused at once, saying which file is missing.
      await page.getByLabel('Preset').selectOption('full');
      await page.getByLabel('Encoder weights').fill('/nowhere/inception_v3.safetensors');
      await page.getByRole('button', { name: /Start training/ }).click();
      await page
        .getByRole('alert')
        .getByText(/no encoder weights file \/nowhere\/inception_v3/)
        .waitFor();
      await page.getByLabel('Preset').selectOption('tiny');
      await page.getByLabel('Epochs').fill('1');
      await page.getByRole('button', { name: /Start training/ }).click();
      const row = page.getByRole('table', { name: 'Runs' }).getByRole('row').nth(1);
      await row.locator('.status.completed').waitFor({ timeout: 90_000 });
      const bleu = await row.locator('td.metric').first().textContent();
      assert(/^\d\.\d{3}$/.test(bleu), `a test BLEU-1 is shown (${bleu})`);
      await page.getByRole('checkbox', { name: 'Compare run 1' }).check();
      await page.getByRole('img', { name: 'loss (training per step, validation per epoch)' }).waitFor();
      // Every axis label lies inside its chart (a y label such as "0.398" kept its first digit).
      const clipped = await page.evaluate(() =>
        [...document.querySelectorAll('svg[role="img"] text')]
          .filter((t) => t.getBBox().x < 0)
          .map((t) => t.textContent),
      );
      assert(clipped.length === 0, `clipped chart labels: ${clipped.join(', ')}`);
      await screenshot(page, 'runs');

      await page.getByRole('button', { name: 'Caption' }).click();
      await page.getByLabel('Run').selectOption({ index: 0 });
      const png = await sharp({
        create: { width: 64, height: 64, channels: 3, background: { r: 230, g: 230, b: 230 } },
      })
        .composite([
          {
            input: { create: { width: 24, height: 24, channels: 3, background: { r: 220, g: 30, b: 30 } } },
            left: 8,
            top: 20,
          },
        ])
        .png()
        .toBuffer();
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: 'red-square.png', mimeType: 'image/png', buffer: png });
      const words = page.getByLabel('Caption words').getByRole('button');
      await words.first().waitFor({ timeout: 120_000 });
      assert((await words.count()) >= 1, 'the caption has words');
      await words.first().hover();
      await page.getByText(/saliency map/).waitFor();
      await screenshot(page, 'caption');
    },
  },
  {
    name: 'draft captions for the library with the run, then accept a suggestion in the editor',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('60 images').waitFor();
      await page.getByRole('button', { name: 'Draft with a model…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Draft captions with a model' });
      await dialog.getByLabel('Run').selectOption('1');
      await dialog.getByRole('button', { name: 'Draft', exact: true }).click();
      await page
        .getByRole('status')
        .getByText(/1 model draft from run 1/)
        .waitFor({ timeout: 60_000 });
      await page.getByLabel('Source', { exact: true }).selectOption('run');
      await page.getByText('1 image', { exact: true }).waitFor();
      await page.locator('.card').first().click();
      const suggestion = page.locator('li.suggestion');
      await suggestion.getByText('Model suggestion (run 1)').waitFor();
      await screenshot(page, 'suggestion');
      await suggestion.getByRole('button', { name: 'Accept' }).click();
      await page.locator('.captions li').last().locator('.badge', { hasText: 'approved' }).waitFor();
      assert(
        (await page.locator('li.suggestion').count()) === 0,
        'an accepted draft is no longer a suggestion',
      );
    },
  },
  {
    name: 'batch-draft a collection with the run and cancel half way: the drafts made stay, as one undo',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('60 images').waitFor();
      const count = () =>
        page.evaluate(() =>
          Number(document.querySelector('[data-testid=count]').textContent.match(/\d+/)[0]),
        );
      await page.getByLabel('Source', { exact: true }).selectOption('run');
      // The drafts of the test before (fewer than all 60 images).
      await page.waitForFunction(
        () => !/^60 images/.test(document.querySelector('[data-testid=count]').textContent),
      );
      const before = await count();
      await page.getByLabel('Source', { exact: true }).selectOption('');
      await page.getByLabel('Collection').selectOption({ index: 1 });
      await page.getByRole('button', { name: 'Draft with a model…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Draft captions with a model' });
      await dialog.getByLabel('the collection shown').check();
      await dialog.getByLabel('Beam width').fill('3');
      await dialog.getByRole('button', { name: 'Draft', exact: true }).click();
      await page.getByText(/Drafting ([4-9]|[1-5]\d) \/ 60/).waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Cancel' }).click();
      const toast = page.locator('.toast');
      await toast.getByText(/from run 1 · cancelled after \d+ of 60/).waitFor({ timeout: 60_000 });
      const made = Number((await toast.textContent()).match(/cancelled after (\d+)/)[1]);
      assert(made >= 4 && made < 60, `cancelled half way (${made} of 60 captioned)`);
      await screenshot(page, 'drafts-cancelled');
      await page.getByLabel('Collection').selectOption('');
      await page.getByLabel('Source', { exact: true }).selectOption('run');
      await page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid=count]').textContent.match(/\d+/)[0]) > n,
        before,
      );
      // One undo takes the whole batch back.
      await toast.getByRole('button', { name: 'Undo' }).click();
      await page
        .locator('.toast')
        .getByText(/Undone: Model drafts from run 1 \(\d+, cancelled\)/)
        .waitFor();
      // (A filtered list keeps its count after an undo until it is filtered again.)
      await page.getByLabel('Source', { exact: true }).selectOption('');
      await page.getByLabel('Source', { exact: true }).selectOption('run');
      await page.getByText(`${before} image${before === 1 ? '' : 's'}`).waitFor();
    },
  },
];
