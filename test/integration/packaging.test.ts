// The installers' configuration (package.json "build", read by electron-builder): every file it
// names exists, the four targets are there, native modules are unpacked from the asar archive,
// Electron's better-sqlite3 is carried, and the afterPack hook flips the fuses we mean.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const build = pkg.build;

describe('electron-builder configuration', () => {
  it('names files that exist', async () => {
    for (const f of [build.afterPack, build.linux.icon, build.mac.icon, build.win.icon])
      expect(existsSync(join(root, f)), f).toBe(true);
    expect(statSync(join(root, build.directories.buildResources)).isDirectory()).toBe(true);
    for (const size of [256, 512]) {
      const meta = await sharp(join(root, build.linux.icon, `${size}x${size}.png`)).metadata();
      expect([meta.width, meta.height]).toEqual([size, size]);
    }
    const icon = await sharp(join(root, build.mac.icon)).metadata();
    expect([icon.format, icon.width, icon.height]).toEqual(['png', 512, 512]);
    // The main entry the app starts from is what electron-vite builds and `files` packs.
    expect(pkg.main).toBe('./out/main/index.js');
    expect(build.files).toContain('out/**/*');
  });

  it('builds AppImage, deb, dmg and nsis', () => {
    expect(build.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(build.mac.target).toContain('dmg');
    expect(build.win.target).toContain('nsis');
    expect(pkg.scripts.dist).toMatch(/electron-native\.mjs.*electron-builder/);
  });

  it('unpacks the native modules and carries better-sqlite3 built for Electron', () => {
    const unpacked = (name: string) =>
      build.asarUnpack.some((g: string) => g.includes(`node_modules/${name}/`));
    for (const name of ['better-sqlite3', 'sharp', '@img']) expect(unpacked(name), name).toBe(true);
    // our SIMD kernels, copied beside the main bundle by the build, are read from a real file
    expect(build.asarUnpack).toContain('out/main/simd-kernels.wasm');
    expect(readFileSync(join(root, 'electron.vite.config.ts'), 'utf8')).toContain('simd-kernels.wasm');
    expect(build.extraResources).toContainEqual({
      from: '.native/electron/better_sqlite3.node',
      to: 'native/better_sqlite3.node',
    });
    // The app looks for it there when packaged.
    expect(readFileSync(join(root, 'src/main/app/index.ts'), 'utf8')).toMatch(
      /process\.resourcesPath, 'native', 'better_sqlite3\.node'/,
    );
    expect(build.npmRebuild).toBe(false);
  });

  it('runs the fuse hook after packing (its fuses are checked in fuses.test.ts)', async () => {
    expect(build.afterPack).toBe('scripts/fuses.mjs');
    const hook = await import(join(root, build.afterPack));
    expect(typeof hook.default).toBe('function');
    expect(hook.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true });
  });
});
