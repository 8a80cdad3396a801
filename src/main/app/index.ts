// Electron composition root: builds the core on the user's library, registers the API on IPC
// and the media protocol, and opens the window.
import { app, BrowserWindow, dialog, Menu } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLibraryLock } from '../db/lock';
import { createCore } from '../services/index';
import { cleanStaleUploads } from '../services/uploads';
import type { AppPage } from './policy';
import { registerApi } from './ipc';
import { handleMedia, registerMediaScheme } from './media';
import { createMainWindow } from './window';
import { menuTemplate } from './menu';
import { eventChannel } from '../../shared/api';
import { useUtilityProcesses } from './worker';

const here = import.meta.dirname;
const appRoot = join(here, '..', '..');
// better-sqlite3 built for Electron's ABI by scripts/electron-native.mjs (npm start and npm run
// dist run it); the installers carry it as an extra resource.
const electronBinding = app.isPackaged
  ? join(process.resourcesPath, 'native', 'better_sqlite3.node')
  : join(appRoot, '.native', 'electron', 'better_sqlite3.node');

registerMediaScheme();
useUtilityProcesses();
// Worker processes (forked per ML job) run on Electron's Node too and need the same build.
if (existsSync(electronBinding)) process.env.CAPTION_STUDIO_SQLITE_BINDING = electronBinding;

app.whenReady().then(() => {
  const dbPath = process.env.CAPTION_STUDIO_DB ?? join(app.getPath('userData'), 'library.db');
  let release: () => void;
  let core: ReturnType<typeof createCore>;
  try {
    release = acquireLibraryLock(dbPath);
    core = createCore({
      dbPath,
      electronVersion: process.versions.electron,
    });
  } catch (e) {
    dialog.showErrorBox('Caption Studio cannot open its library', (e as Error).message);
    app.exit(1);
    return;
  }
  cleanStaleUploads(core.store);
  handleMedia(core);
  // Menu commands go to the focused window's page, which carries them out.
  const menu = Menu.buildFromTemplate(
    menuTemplate(process.platform, (command) => {
      const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      win?.webContents.send(eventChannel('app.command'), { command });
    }),
  );
  Menu.setApplicationMenu(menu);
  // Our page, matched exactly: the dev server's URL (electron-vite dev) or the built index.html.
  const page: AppPage = {
    devUrl: app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
    indexFile: join(here, '../renderer/index.html'),
  };
  const open = () => {
    const win = createMainWindow(join(here, '../preload'), page, app.getPath('userData'));
    const unregister = registerApi(core, win, page);
    win.on('closed', unregister);
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('will-quit', () => {
    core.close();
    release();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
