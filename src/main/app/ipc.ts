// Registers every API method on IPC (channels derived from the contract) and forwards events to
// the window; calls from any frame but the app's own are refused.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { callChannel, eventChannel, METHODS } from '../../shared/api';
import { fail } from '../../shared/result';
import type { Core } from '../services/index';

function trustedSender(e: IpcMainInvokeEvent, win: BrowserWindow): boolean {
  const frame = e.senderFrame;
  if (!frame || e.sender.id !== win.webContents.id) return false;
  const url = frame.url;
  return (
    url.startsWith('file://') ||
    (!!process.env.ELECTRON_RENDERER_URL && url.startsWith(process.env.ELECTRON_RENDERER_URL))
  );
}

export function registerApi(core: Core, win: BrowserWindow): () => void {
  for (const method of METHODS) {
    ipcMain.handle(callChannel(method), (e, args: unknown) =>
      trustedSender(e, win)
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
