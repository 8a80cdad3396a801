// Electron fuses for the packaged app: features switched off in the Electron binary itself, so no
// environment variable or command-line flag can turn them back on. Used by the packaging config:
//   electron-builder ≥ 24.13: `electronFuses` (import { electronFuses } from './scripts/fuses.mjs'),
//   or as its afterPack hook (`afterPack: 'scripts/fuses.mjs'`, needs the @electron/fuses package).

/** electron-builder's FuseOptionsV1 (the names of @electron/fuses' FuseV1Options, camel-cased). */
export const electronFuses = Object.freeze({
  // ELECTRON_RUN_AS_NODE would turn the signed app into a general Node runtime. The ML worker runs
  // in an Electron utility process, which does not need it.
  runAsNode: false,
  // NODE_OPTIONS and --inspect would let anyone who starts the app inject code into it.
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  // The app's code is loaded from app.asar only, and app.asar is checked against its hash.
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  // Cookies on disk encrypted with the OS keychain (serve mode's session cookie is not stored here).
  enableCookieEncryption: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  // The page is loaded from file:// as ES modules, which needs file:// privileges; this fuse can go
  // to false once the renderer is served on a custom app:// protocol.
  grantFileProtocolExtraPrivileges: true,
});

const executable = (context) => {
  const name = context.packager.appInfo.productFilename;
  if (context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas')
    return `${context.appOutDir}/${name}.app`;
  if (context.electronPlatformName === 'win32') return `${context.appOutDir}/${name}.exe`;
  return `${context.appOutDir}/${context.packager.executableName}`;
};

/** electron-builder afterPack hook: flips the fuses above in the packaged binary. */
export default async function afterPack(context) {
  const { flipFuses, FuseVersion, FuseV1Options } = await import('@electron/fuses');
  const options = { version: FuseVersion.V1 };
  for (const [key, on] of Object.entries(electronFuses)) {
    const fuse = FuseV1Options[key[0].toUpperCase() + key.slice(1)];
    if (fuse === undefined) throw new Error(`@electron/fuses has no fuse ${key}; update scripts/fuses.mjs.`);
    options[fuse] = on;
  }
  // arm64 macOS needs a valid (ad-hoc) signature after the binary changed, until it is signed.
  options.resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === 3;
  await flipFuses(executable(context), options);
}
