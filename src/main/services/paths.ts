// Where a library lives by default: $XDG_DATA_HOME/caption-studio (or ~/.local/share, or the
// platform's equivalent) for the CLI and server; Electron passes its userData folder instead.
import { homedir, platform } from 'node:os';
import { dirname, join } from 'node:path';

export function defaultDataDir(env = process.env): string {
  if (env.CAPTION_STUDIO_HOME) return env.CAPTION_STUDIO_HOME;
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Application Support', 'caption-studio');
  if (platform() === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'caption-studio');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'caption-studio');
}

export const defaultDbPath = (env = process.env): string => join(defaultDataDir(env), 'library.db');

/** Downloaded and saved model weights live beside the library: `<library folder>/weights`. */
export const weightsDirFor = (dbPath: string): string => join(dirname(dbPath), 'weights');
