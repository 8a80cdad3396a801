// Dropping files on the Caption page (a real drop event with a DataTransfer, not a file chooser):
// each drop uploads once and captions once, with no runaway effect loop; the results stay when
// switching tabs and back.
import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { assert, drop } from './harness.mjs';
import { startServe } from './serve.mjs';

export async function setup() {
  const server = await startServe();
  // A finished run whose checkpoint folder holds nothing: enough to be offered on the Caption page;
  // captioning with it fails with a clear error, after the upload.
  const db = new Database(server.db);
  db.prepare(
    `INSERT INTO runs (model, preset, config, status, checkpoint_dir, created_at)
     VALUES ('cnn-lstm', 'tiny', '{}', 'completed', ?, ?)`,
  ).run(join(dirname(server.db), 'runs', '1'), Date.now());
  db.close();
  const png = await sharp({
    create: { width: 48, height: 32, channels: 3, background: { r: 200, g: 40, b: 40 } },
  })
    .png()
    .toBuffer();
  return { ...server, png: png.toString('base64') };
}
export const teardown = (suite) => suite.stop();

const uploadDirs = (suite) => {
  const root = join(dirname(suite.db), 'uploads');
  return existsSync(root) ? readdirSync(root).filter((d) => d.startsWith('caption-')) : [];
};

export const tests = [
  {
    name: 'a dropped photo and a dropped 0-byte JPEG each upload once, with no effect loop',
    async run({ page, suite }) {
      const logged = [];
      page.on('console', (m) => m.type() === 'error' && logged.push(m.text()));
      // Every file sent to the server (serve mode streams each dropped file on the upload route).
      let uploads = 0;
      page.on('request', (r) => r.method() === 'POST' && r.url().includes('/api/upload?') && uploads++);
      await page.goto(suite.url);
      await page.getByRole('button', { name: 'Caption' }).click();
      await page.getByLabel('Run').locator('option').first().waitFor({ state: 'attached' });
      await drop(page, [{ name: 'red.png', type: 'image/png', b64: suite.png }]);
      await page.locator('article').first().waitFor();
      await page.getByRole('alert').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(500);
      assert(uploads === 1, `one upload for one drop (${uploads})`);
      await drop(page, [{ name: 'empty.jpg', type: 'image/jpeg', b64: '' }]);
      await page.locator('article').nth(1).waitFor();
      await page.waitForTimeout(1500);
      assert(uploads === 2, `one more upload for the 0-byte JPEG (${uploads})`);
      // Captioning done, the temporary upload folders are gone (the photos were not imported).
      assert(
        uploadDirs(suite).length === 0,
        `no caption upload folder left (${uploadDirs(suite).join(', ')})`,
      );
      assert((await page.locator('article').count()) === 2, 'two items, one per dropped file');
      assert(
        !logged.some((t) => /effect_update_depth_exceeded/.test(t)),
        `no effect loop: ${logged.join('; ')}`,
      );
      // Switching tabs keeps the page's results.
      await page.getByRole('button', { name: 'Library' }).click();
      await page.getByText('4 images').waitFor();
      await page.getByRole('button', { name: 'Caption' }).click();
      assert((await page.locator('article').count()) === 2, 'the results survive switching tabs');
    },
  },
];
