// Registers every API method on IPC (channels derived from the contract) and forwards events to
// the window; a call is run only when it comes from the top frame of our window showing our own
// page (policy.ts), never from a sub-frame or another page.
import { ipcMain, type BrowserWindow } from 'electron';
import { callChannel, eventChannel, METHODS } from '../../shared/api';
import { fail } from '../../shared/result';
import type { Core } from '../services/index';
import { isTrustedSender, type AppPage } from './policy';

export function registerApi(core: Core, win: BrowserWindow, page: AppPage): () => void {
  const contentsId = win.webContents.id;
  for (const method of METHODS) {
    ipcMain.handle(callChannel(method), (e, args: unknown) =>
      isTrustedSender(e, contentsId, page)
        ? core.dispatch(method, args)
        : fail('unauthorized', 'Calls come only from the app window.'),
    );
  }
  const off = core.bus.onAny((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send(eventChannel(event), payload);
  });
  return () => {
    off();
    for (const method of METHODS) ipcMain.removeHandler(callChannel(method));
  };
}
