// Types of scripts/fuses.mjs (the packaged app's Electron fuses) for the TypeScript that imports it.

/** electron-builder's FuseOptionsV1. */
export declare const electronFuses: Readonly<Record<string, boolean>>;

/** The part of electron-builder's AfterPackContext the hook reads. */
export interface AfterPackContextLike {
  electronPlatformName: string;
  arch: number;
  appOutDir: string;
  packager: { appInfo: { productFilename: string }; executableName: string };
}

export default function afterPack(context: AfterPackContextLike): Promise<void>;
