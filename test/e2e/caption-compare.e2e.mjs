// The Caption page with real tiny runs (trained through the API before the tests): two runs side by
// side give two columns, each with its caption and word chips; changing the colormap changes the
// overlay's pixels (and is remembered); saving a photo as approved puts it in the library with the
// chosen caption (checked through the API).
import { request } from 'node:http';
import sharp from 'sharp';
import { assert, drop, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

/** One API call to the server from Node (no browser Origin), its value or its error thrown. */
function api(suite, method, args) {
  const url = new URL(suite.url);
  const body = JSON.stringify(args);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `/api/${method}`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${url.searchParams.get('token')}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          const r = JSON.parse(text);
          if (r.ok) resolve(r.value);
          else reject(new Error(`${method}: ${r.error.message}`));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// The tiny preset's own sizes: after two epochs both models say words (smaller ones may say none).
const TINY = { epochs: 2, valImages: 4 };

export async function setup() {
  const server = await startServe({ shapes: 60 });
  const suite = { ...server };
  for (const model of ['cnn-lstm', 'cnn-lstm-attn'])
    await api(suite, 'train.start', { model, preset: 'tiny', config: TINY });
  const t0 = Date.now();
  for (;;) {
    const runs = await api(suite, 'runs.list', {});
    if (runs.length === 2 && runs.every((r) => r.status === 'completed')) break;
    const bad = runs.find((r) => ['failed', 'cancelled', 'interrupted'].includes(r.status));
    if (bad) throw new Error(`run ${bad.id} ${bad.status}: ${bad.error}`);
    if (Date.now() - t0 > 240_000) throw new Error('the two tiny runs did not finish in 4 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
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
  return { ...suite, png };
}
export const teardown = (suite) => suite.stop();

async function openCaption(page, suite) {
  await page.goto(suite.url);
  await page.getByRole('button', { name: 'Caption' }).click();
  await page.getByLabel('Run', { exact: true }).locator('option').nth(1).waitFor({ state: 'attached' });
}

/** Keeps the first photo canvas's RGBA pixels in the page under a name (no copy to Node). */
const snap = (page, name) =>
  page.evaluate((name) => {
    const c = document.querySelector('article canvas');
    window.snaps = { ...window.snaps, [name]: c.getContext('2d').getImageData(0, 0, c.width, c.height).data };
  }, name);

/** Pixels whose colour differs by more than `tol` between two snapshots, and the pixel count. */
const differing = (page, a, b, tol = 0) =>
  page.evaluate(
    ([a, b, tol]) => {
      const [x, y] = [window.snaps[a], window.snaps[b]];
      let n = 0;
      for (let i = 0; i < x.length; i += 4)
        if ([0, 1, 2].some((k) => Math.abs(x[i + k] - y[i + k]) > tol)) n++;
      return { n, total: x.length / 4 };
    },
    [a, b, tol],
  );

export const tests = [
  {
    name: 'two runs side by side: one column per run, each with its caption and word chips',
    async run({ page, suite }) {
      await openCaption(page, suite);
      await page.getByLabel('Run', { exact: true }).selectOption('1');
      await page.getByLabel('Compare with').selectOption('2');
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: 'red-square.png', mimeType: 'image/png', buffer: suite.png });
      const cols = page.locator('article .col');
      await page.getByLabel('Caption words').nth(1).getByRole('button').first().waitFor({ timeout: 60_000 });
      assert((await cols.count()) === 2, `two columns (${await cols.count()})`);
      const heads = await cols.locator('h3').allTextContents();
      assert(
        heads[0] === 'run 1 · cnn-lstm' && heads[1] === 'run 2 · cnn-lstm-attn',
        `columns named by run and model: ${heads.join(' | ')}`,
      );
      for (let j = 0; j < 2; j++) {
        const chips = cols.nth(j).getByLabel('Caption words').getByRole('button');
        assert((await chips.count()) >= 1, `column ${j + 1} has word chips`);
      }
      await cols
        .nth(0)
        .getByText(/saliency map/)
        .waitFor();
      await cols
        .nth(1)
        .getByText(/attention map/)
        .waitFor();
      // A caption with words is offered for saving.
      const offered = await page.getByLabel('Caption to save').inputValue();
      assert(offered.trim().length > 0, `the first run's caption is offered for saving ("${offered}")`);
      await cols.nth(1).getByLabel('Caption words').getByRole('button').first().hover();
      await screenshot(page, 'caption-compare');
    },
  },
  {
    name: 'changing the colormap changes the overlay’s pixels, and the choice is remembered',
    async run({ page, suite }) {
      await openCaption(page, suite);
      await page.getByLabel('Run', { exact: true }).selectOption('2');
      await drop(page, [{ name: 'red-square.png', type: 'image/png', b64: suite.png.toString('base64') }]);
      const word = page.getByLabel('Caption words').getByRole('button').first();
      await word.waitFor({ timeout: 60_000 });
      await page.waitForFunction(() => document.querySelector('article canvas')?.width === 480);
      await snap(page, 'photo');
      await word.focus(); // the map of this word
      await page.waitForFunction(() => {
        const c = document.querySelector('article canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const p = window.snaps.photo;
        for (let i = 0; i < d.length; i++) if (d[i] !== p[i]) return true;
        return false;
      });
      await snap(page, 'jet');
      await page.getByLabel('Colormap').selectOption('viridis');
      await page.waitForFunction(
        () => document.querySelector('article canvas').dataset.colormap === 'viridis',
      );
      await snap(page, 'viridis');
      const tinted = await differing(page, 'photo', 'jet');
      const changed = await differing(page, 'jet', 'viridis');
      assert(
        tinted.n > 0 && tinted.n < tinted.total,
        `the map tints part of the photo (${tinted.n} of ${tinted.total} pixels)`,
      );
      assert(
        changed.n > changed.total / 50,
        `viridis recolours the tinted pixels (${changed.n} of ${changed.total} changed)`,
      );
      // At opacity 0 the overlay leaves the photo as it is.
      await page.getByLabel('Heatmap opacity').fill('0');
      await page.waitForTimeout(200);
      await snap(page, 'none');
      const left = await differing(page, 'photo', 'none', 1);
      assert(left.n === 0, `at opacity 0 the photo is untouched (${left.n} pixels differ)`);
      // Remembered for the next visit.
      await page.reload();
      await page.getByRole('button', { name: 'Caption' }).click();
      const kept = await page.getByLabel('Colormap').inputValue();
      assert(kept === 'viridis', `the colormap is remembered (${kept})`);
    },
  },
  {
    name: 'saving a photo as approved puts it in the library with the chosen caption',
    async run({ page, suite }) {
      await openCaption(page, suite);
      await page.getByLabel('Run', { exact: true }).selectOption('1');
      await page.getByLabel('Compare with').selectOption('2');
      await drop(page, [{ name: 'red-square.png', type: 'image/png', b64: suite.png.toString('base64') }]);
      const cols = page.locator('article .col');
      await cols.nth(1).getByLabel('Caption words').getByRole('button').first().waitFor({ timeout: 60_000 });
      await cols.nth(1).getByRole('button', { name: 'Use this caption' }).click();
      const chosen = await page.getByLabel('Caption to save').inputValue();
      const text = `${chosen} (checked)`;
      await page.getByLabel('Caption to save').fill(text);
      const before = await api(suite, 'library.list', { limit: 1 });
      await page.getByRole('button', { name: 'Save approved' }).click();
      const saved = page.locator('.saved');
      await saved
        .getByText(/Saved as approved: image \d+ \(added to the library\)/)
        .waitFor({ timeout: 30_000 });
      const imageId = Number((await saved.textContent()).match(/image (\d+)/)[1]);
      const img = await api(suite, 'library.get', { imageId });
      const caps = img.captions.map((c) => [c.text, c.status, c.source, c.runId]);
      assert(
        JSON.stringify(caps) === JSON.stringify([[text, 'approved', 'run', 2]]),
        `the library holds the chosen caption: ${JSON.stringify(caps)}`,
      );
      const history = await api(suite, 'captions.history', { imageId });
      const texts = history.map((h) => h.newText).filter(Boolean);
      assert(texts.includes(chosen) && texts.includes(text), `history: model text then edit (${texts})`);
      const after = await api(suite, 'library.list', { limit: 1 });
      assert(after.total === before.total + 1, `one image more (${before.total} → ${after.total})`);
    },
  },
];
