// Seeds a temporary library for the end-to-end tests: four drawn PNG pictures written with sharp, and
// captions through the core. Usage: tsx test/e2e/seed.ts DIR  → prints the database path.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createCore } from '../../src/main/services/index';

const dir = process.argv[2];
mkdirSync(join(dir, 'photos'), { recursive: true });
const core = createCore({ dbPath: join(dir, 'library.db') });
// Simple drawn scenes: the red and the green square share their layout, so the health check sees
// them as near duplicates (dHash compares grey structure, not colour); the other two differ.
const square = (hex: string) => `<rect x="110" y="70" width="100" height="100" fill="${hex}"/>`;
const scenes = [
  {
    svg: `<rect width="320" height="240" fill="#f4f4f4"/>${square('#c82828')}`,
    captions: ['a red square on a white wall', 'a crimson tile'],
  },
  {
    svg: `<rect width="320" height="240" fill="#f4f4f4"/>${square('#28a03c')}`,
    captions: ['a green field under a grey sky'],
  },
  {
    svg: `<rect width="320" height="240" fill="#dfe9f5"/><rect width="150" height="240" fill="#2850c8"/>`,
    captions: ['a blue lake at dawn'],
  },
  {
    svg: `<rect width="320" height="240" fill="#e6c828"/><circle cx="230" cy="120" r="60" fill="#333"/>`,
    captions: ['a yellow taxi in the rain'],
  },
];
for (const [i, s] of scenes.entries()) {
  const path = join(dir, 'photos', `photo${i}.png`);
  await sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">${s.svg}</svg>`))
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
