// Electron fuses for the packaged app, and the electron-builder afterPack hook that flips them on
// the packaged binary (before signing): no running as plain Node, no NODE_OPTIONS or --inspect, the
// app only from its asar archive with the archive's integrity checked, cookies encrypted.
import { join } from 'node:path';

/** builder-util's Arch.arm64. */
const ARM64 = 3;

/** Fuse name (as @electron/fuses' FuseV1Options spells it) → on/off. */
export const FUSES = Object.freeze({
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  EnableCookieEncryption: true,
});

/** The packaged Electron binary (or .app bundle) electron-builder just wrote. */
export function packagedBinary(context) {
  const { appOutDir, electronPlatformName: platform, packager } = context;
  const name = packager.appInfo.productFilename;
  if (platform === 'darwin' || platform === 'mas') return join(appOutDir, `${name}.app`);
  if (platform === 'win32') return join(appOutDir, `${name}.exe`);
  return join(appOutDir, packager.executableName ?? name);
}

export async function afterPack(context) {
  const { flipFuses, FuseVersion, FuseV1Options } = await import('@electron/fuses');
  const settings = { version: FuseVersion.V1 };
  for (const [name, on] of Object.entries(FUSES)) {
    if (!(name in FuseV1Options)) throw new Error(`@electron/fuses has no fuse ${name}`);
    settings[FuseV1Options[name]] = on;
  }
  // Flipping a fuse changes the binary: an ad-hoc signature (Apple silicon) must be made again.
  settings.resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === ARM64;
  await flipFuses(packagedBinary(context), settings);
}

export default afterPack;
