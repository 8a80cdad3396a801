// Electron composition root: builds the core, registers the API on IPC and opens the window.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createMainWindow } from './window';

const here = import.meta.dirname;

app.whenReady().then(() => {
  createMainWindow(join(here, '../preload'), join(here, '../renderer'));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0)
      createMainWindow(join(here, '../preload'), join(here, '../renderer'));
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
