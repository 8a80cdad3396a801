// Importing from the UI over serve mode: a folder with one broken file shows the report (what was
// added, what failed and why); photos dropped on the window are uploaded and imported.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { assert, screenshot } from './harness.mjs';
import { startServe } from './serve.mjs';

export async function setup() {
  const server = await startServe();
  const folder = mkdtempSync(join(tmpdir(), 'cs-e2e-import-'));
  const png = (r, g, b) =>
    sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } })
      .png()
      .toBuffer();
  writeFileSync(join(folder, 'kite.png'), await png(250, 120, 10));
  writeFileSync(join(folder, 'kite.txt'), 'an orange kite in the sky\na kite over the beach\n');
  writeFileSync(join(folder, 'boat.png'), await png(10, 30, 200));
  writeFileSync(join(folder, 'broken.jpg'), 'this is not a photo');
  const dropPng = (await png(20, 200, 20)).toString('base64');
  // A camera-sized JPEG (noise compresses badly: well over the 8 MiB JSON limit).
  const noise = Buffer.alloc(3400 * 2600 * 3);
  let x = 2463534242;
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise[i] = x & 255;
  }
  const cameraJpeg = (
    await sharp(noise, { raw: { width: 3400, height: 2600, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer()
  ).toString('base64');
  // A Karpathy split file beside its images, in a folder of its own.
  const kfolder = mkdtempSync(join(tmpdir(), 'cs-e2e-karpathy-'));
  writeFileSync(join(kfolder, 'k1.png'), await png(200, 200, 40));
  writeFileSync(join(kfolder, 'k2.png'), await png(90, 20, 160));
  const sentence = (raw, i) => ({ raw, tokens: raw.split(' '), sentid: i });
  const karpathy = {
    dataset: 'mine',
    images: [
      {
        filename: 'k1.png',
        split: 'train',
        sentences: [sentence('a yellow tile .', 0), sentence('a bright square .', 1)],
      },
      { filename: 'k2.png', split: 'test', sentences: [sentence('a violet tile .', 2)] },
    ],
  };
  writeFileSync(join(kfolder, 'dataset_mine.json'), JSON.stringify(karpathy));
  const stop = async () => {
    await server.stop();
    for (const d of [folder, kfolder]) rmSync(d, { recursive: true, force: true });
  };
  return { ...server, folder, kfolder, dropPng, cameraJpeg, stop };
}
export const teardown = (suite) => suite.stop();

export const tests = [
  {
    name: 'import a folder with one broken file and see the report',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText('4 images').waitFor();
      await page.getByRole('button', { name: 'Import…' }).click();
      await page.getByLabel('Folder to import').fill(suite.folder);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const summary = page.getByTestId('import-summary');
      await summary.waitFor();
      const text = (await summary.textContent()).replace(/\s+/g, ' ');
      assert(
        /2 added/.test(text) && /2 captions added/.test(text) && /1 failed/.test(text),
        `summary: ${text}`,
      );
      const row = page.getByRole('row', { name: /broken\.jpg/ });
      assert(
        (await row.locator('.reason').textContent()) === 'not-an-image',
        'the broken file is named with its reason',
      );
      await screenshot(page, 'import-report');
      await page.getByLabel('Import report').getByRole('button', { name: 'Close' }).click();
      await page.getByText('6 images').waitFor();
      await page.getByLabel('Search captions').fill('kite');
      await page.getByText('1 image', { exact: true }).waitFor();
    },
  },
  {
    name: 'drop photos on the window: uploaded, imported, reported',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText(/\d+ images/).waitFor();
      const before = Number((await page.getByTestId('count').textContent()).split(' ')[0]);
      const dt = await page.evaluateHandle((b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const d = new DataTransfer();
        d.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
        d.items.add(new File(['a green square, dropped'], 'dropped.txt', { type: 'text/plain' }));
        return d;
      }, suite.dropPng);
      await page.dispatchEvent('main', 'dragover', { dataTransfer: dt });
      await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
      await page
        .getByRole('dialog', { name: 'Import photos and captions' })
        .getByText('2 dropped files')
        .waitFor();
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const text = (await page.getByTestId('import-summary').textContent()).replace(/\s+/g, ' ');
      assert(
        /1 added/.test(text) && /1 caption added/.test(text) && /0 failed/.test(text),
        `summary: ${text}`,
      );
      await page.getByLabel('Import report').getByRole('button', { name: 'Close' }).click();
      await page.getByText(`${before + 1} images`).waitFor();
    },
  },
  {
    name: 'drop a camera-sized JPEG (over the JSON limit): streamed, imported',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText(/\d+ images/).waitFor();
      const before = Number((await page.getByTestId('count').textContent()).split(' ')[0]);
      const size = Math.round((suite.cameraJpeg.length * 3) / 4 / 2 ** 20);
      assert(size > 9, `the photo is ${size} MiB`);
      const dt = await page.evaluateHandle((b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const d = new DataTransfer();
        d.items.add(new File([bytes], 'IMG_0001.JPG', { type: 'image/jpeg' }));
        return d;
      }, suite.cameraJpeg);
      await page.dispatchEvent('main', 'dragover', { dataTransfer: dt });
      await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const text = (await page.getByTestId('import-summary').textContent()).replace(/\s+/g, ' ');
      assert(/1 added/.test(text) && /0 failed/.test(text), `summary: ${text}`);
      await page.getByLabel('Import report').getByRole('button', { name: 'Close' }).click();
      await page.getByText(`${before + 1} images`).waitFor();
    },
  },
  {
    name: 'import a Karpathy split file from the dialog, keeping its splits',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText(/\d+ images/).waitFor();
      await page.getByRole('button', { name: 'Import…' }).click();
      await page.getByLabel('Format').selectOption('karpathy');
      await page.getByLabel('File to import').fill(join(suite.kfolder, 'dataset_mine.json'));
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const text = (await page.getByTestId('import-summary').textContent()).replace(/\s+/g, ' ');
      assert(/2 added/.test(text) && /3 captions added/.test(text), `summary: ${text}`);
      await page.getByLabel('Import report').getByRole('button', { name: 'Close' }).click();
      await page.getByLabel('Split').selectOption('test');
      await page.getByLabel('Search captions').fill('violet');
      await page.getByText('1 image', { exact: true }).waitFor();
    },
  },
  {
    name: 'export the approved captions as a Karpathy file from the dialog',
    async run({ page, suite }) {
      await page.goto(suite.url);
      await page.getByText(/\d+ images/).waitFor();
      await page.getByRole('button', { name: 'Export…' }).click();
      await page.getByLabel('Export format').selectOption('karpathy');
      const out = join(suite.kfolder, 'export');
      await page.getByLabel('Output folder').fill(out);
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      const text = (await page.getByTestId('export-summary').textContent()).replace(/\s+/g, ' ');
      assert(/\d+ images and \d+ captions written/.test(text), `summary: ${text}`);
      const json = JSON.parse(
        readFileSync(
          join(
            out,
            readdirSync(out).find((f) => f.endsWith('.json')),
          ),
          'utf8',
        ),
      );
      assert(
        json.images.some((i) => i.sentences.some((x) => x.raw === 'a violet tile .')),
        'the imported caption is exported',
      );
    },
  },
];
