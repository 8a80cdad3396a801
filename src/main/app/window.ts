// The main window with Electron's safety settings: isolation, sandbox, no Node in the page, every
// permission denied by default, no navigation, no new windows (http(s) links open in the browser),
// no <webview>.
import { BrowserWindow, shell } from 'electron';
import { join } from 'node:path';
import { externalUrl, permissionAllowed, type AppPage } from './policy';

export function createMainWindow(preloadDir: string, page: AppPage): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
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
