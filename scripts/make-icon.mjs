// Renders resources/icon.svg to the PNG icons the installers use: resources/icon.png (512×512,
// macOS and Windows; electron-builder converts it) and resources/icons/<size>x<size>.png (Linux).
// Run after changing the SVG: node scripts/make-icon.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const dir = join(import.meta.dirname, '..', 'resources');
const svg = join(dir, 'icon.svg');
mkdirSync(join(dir, 'icons'), { recursive: true });
for (const size of [512, 256]) {
  const png = sharp(svg, { density: (72 * size) / 512 })
    .resize(size, size)
    .png({ compressionLevel: 9 });
  await png.toFile(join(dir, 'icons', `${size}x${size}.png`));
  if (size === 512)
    await sharp(svg).resize(512, 512).png({ compressionLevel: 9 }).toFile(join(dir, 'icon.png'));
}
console.log('icons written to', dir);
