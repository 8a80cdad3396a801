// Import throughput: folder import (hash, validate, thumbnail, sidecar, SQLite) on 1,000
// generated 640×480 JPEGs, beside sharp alone doing the same decode + 256 px resize, as a ratio.
// BENCH_QUICK=1 uses 50 images (a smoke run, not a measurement).
import sharp from 'sharp';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/main/db/index';
import { importFolder } from '../src/main/datasets/folder';
import type { Bench } from './types';

const N = process.env.BENCH_QUICK === '1' ? 50 : 1000;

async function makeImages(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < N; i++) {
    // Noise makes each JPEG a realistic size (~100 KB) and each hash distinct.
    const img = sharp({
      create: {
        width: 640,
        height: 480,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 100 + (i % 50), sigma: 40 },
      },
    });
    writeFileSync(join(dir, `img${i}.jpg`), await img.jpeg({ quality: 85 }).toBuffer());
    writeFileSync(join(dir, `img${i}.txt`), `generated image number ${i}`);
  }
}

const bench: Bench = {
  name: 'import',
  async run() {
    const root = mkdtempSync(join(tmpdir(), 'cs-bench-import-'));
    try {
      const photos = join(root, 'photos');
      await makeImages(photos);

      const t0 = performance.now();
      for (const f of readdirSync(photos).filter((x) => x.endsWith('.jpg'))) {
        await sharp(readFileSync(join(photos, f)))
          .rotate()
          .resize({ width: 256, height: 256, fit: 'inside' })
          .webp({ quality: 80 })
          .toBuffer();
      }
      const sharpMs = performance.now() - t0;

      const store = openStore(join(root, 'lib', 'library.db'));
      const t1 = performance.now();
      const report = await importFolder(store, photos, { thumbsDir: join(root, 'lib', 'thumbs') });
      const importMs = performance.now() - t1;
      store.close();
      if (report.added !== N)
        throw new Error(`imported ${report.added} of ${N}: ${JSON.stringify(report.failed[0])}`);

      const perSec = (ms: number) => (N / ms) * 1000;
      return [
        {
          name: `sharp alone: decode + 256 px WebP, ${N} JPEGs 640×480`,
          value: perSec(sharpMs),
          unit: 'img/s',
        },
        {
          name: `folder import with thumbnails + sidecars, ${N} JPEGs 640×480`,
          value: perSec(importMs),
          unit: 'img/s',
          note: `ratio ${(sharpMs / importMs).toFixed(2)} of sharp alone`,
        },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
