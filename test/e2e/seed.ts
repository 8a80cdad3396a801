// Seeds a temporary library for the end-to-end tests: real PNG photos written with sharp, and
// captions through the core. Usage: tsx test/e2e/seed.ts DIR  → prints the database path.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createCore } from '../../src/main/services/index';

const dir = process.argv[2];
mkdirSync(join(dir, 'photos'), { recursive: true });
const core = createCore({ dbPath: join(dir, 'library.db') });
const scenes = [
  { colour: { r: 200, g: 40, b: 40 }, captions: ['a red square on a white wall', 'a crimson tile'] },
  { colour: { r: 40, g: 160, b: 60 }, captions: ['a green field under a grey sky'] },
  { colour: { r: 40, g: 80, b: 200 }, captions: ['a blue lake at dawn'] },
  { colour: { r: 230, g: 200, b: 40 }, captions: ['a yellow taxi in the rain'] },
];
for (const [i, s] of scenes.entries()) {
  const path = join(dir, 'photos', `photo${i}.png`);
  await sharp({ create: { width: 320, height: 240, channels: 3, background: s.colour } })
    .png()
    .toFile(path);
  const { image } = core.store.images.upsert({
    hash: `seed-${i}`,
    path,
    width: 320,
    height: 240,
    split: 'train',
  });
  for (const text of s.captions) core.store.captions.add({ imageId: image.id, text, status: 'draft' }, null);
}
core.close();
console.log(join(dir, 'library.db'));
