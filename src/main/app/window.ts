// The main window with Electron's safety settings: isolation, sandbox, no Node in the page,
// every permission denied by default, navigation and new windows blocked, no <webview>. Its size, position and maximized state are remembered in
// window-state.json (in the app's data folder) and restored onto the displays there are now.
import { BrowserWindow, screen, shell } from 'electron';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clampBounds, type SavedWindow } from './bounds';
import { externalUrl, permissionAllowed, type AppPage } from './policy';

const DEFAULT_SIZE = { width: 1280, height: 840 };

function readSaved(file: string): Partial<SavedWindow> | null {
  try {
    // A small JSON file of ours; anything else (too big, not a file, not JSON) is ignored.
    const st = statSync(file);
    if (!st.isFile() || st.size > 4096) return null;
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedWindow>;
  } catch {
    return null;
  }
}

function remember(win: BrowserWindow, file: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    if (win.isDestroyed() || win.isMinimized()) return;
    const state: SavedWindow = { ...win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      writeFileSync(file, JSON.stringify(state) + '\n');
    } catch {
      // Not being able to remember the window's place is not worth bothering anyone about.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', save);
}

export function createMainWindow(preloadDir: string, page: AppPage, stateDir: string): BrowserWindow {
  const stateFile = join(stateDir, 'window-state.json');
  const bounds = clampBounds(
    readSaved(stateFile),
    [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((d) => d.workArea),
    DEFAULT_SIZE,
  );
  const win = new BrowserWindow({
    ...bounds,
    show: false,
    title: 'Caption Studio',
    webPreferences: {
      preload: join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  const session = win.webContents.session;
  session.setPermissionRequestHandler((_wc, permission, done, details) =>
    done(permissionAllowed(permission, details.requestingUrl, page)),
  );
  session.setPermissionCheckHandler((_wc, permission, origin) => permissionAllowed(permission, origin, page));
  if (bounds.maximized) win.maximize();
  remember(win, stateFile);
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    const external = externalUrl(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  if (page.devUrl) void win.loadURL(page.devUrl);
  else void win.loadFile(page.indexFile);
  return win;
}
