// The packaged app's Electron fuses (scripts/fuses.mjs): the ways to run other code through the
// signed binary are off, and the afterPack hook flips exactly these fuses on the packaged executable.
import { describe, expect, it, vi } from 'vitest';

// @electron/fuses' FuseV1Options, as numbered in the Electron binary's fuse wire (V1).
const FuseV1Options = {
  RunAsNode: 0,
  EnableCookieEncryption: 1,
  EnableNodeOptionsEnvironmentVariable: 2,
  EnableNodeCliInspectArguments: 3,
  EnableEmbeddedAsarIntegrityValidation: 4,
  OnlyLoadAppFromAsar: 5,
  LoadBrowserProcessSpecificV8Snapshot: 6,
  GrantFileProtocolExtraPrivileges: 7,
};
const flips: [string, Record<string | number, unknown>][] = [];
vi.mock('@electron/fuses', () => ({
  FuseVersion: { V1: '1' },
  FuseV1Options,
  flipFuses: async (path: string, options: Record<string | number, unknown>) =>
    void flips.push([path, options]),
}));

describe('Electron fuses', () => {
  it('switch off running as Node, NODE_OPTIONS, --inspect and loading code from outside app.asar', async () => {
    const { electronFuses } = await import('../../scripts/fuses.mjs');
    expect(electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
    expect(Object.isFrozen(electronFuses)).toBe(true);
  });

  it('afterPack flips each of them on the packaged executable', async () => {
    const { default: afterPack, electronFuses } = await import('../../scripts/fuses.mjs');
    await afterPack({
      electronPlatformName: 'linux',
      arch: 1,
      appOutDir: '/dist/linux-unpacked',
      packager: { appInfo: { productFilename: 'Caption Studio' }, executableName: 'caption-studio' },
    });
    await afterPack({
      electronPlatformName: 'darwin',
      arch: 3,
      appOutDir: '/dist/mac-arm64',
      packager: { appInfo: { productFilename: 'Caption Studio' }, executableName: 'caption-studio' },
    });
    expect(flips.map(([p]) => p)).toEqual([
      '/dist/linux-unpacked/caption-studio',
      '/dist/mac-arm64/Caption Studio.app',
    ]);
    const [, linux] = flips[0];
    expect(linux[FuseV1Options.RunAsNode]).toBe(false);
    expect(linux[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(linux[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(linux[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(Object.keys(linux).filter((k) => /^\d+$/.test(k))).toHaveLength(Object.keys(electronFuses).length);
    expect(linux.resetAdHocDarwinSignature).toBe(false);
    expect(flips[1][1].resetAdHocDarwinSignature).toBe(true);
  });
});
