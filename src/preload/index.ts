// The preload: exposes only `window.api` (the ApiBridge of src/shared/api.ts) over IPC.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { callChannel, eventChannel, METHODS, type ApiBridge } from '../shared/api';

const known = new Set<string>(METHODS);

const api: ApiBridge = {
  call(method, args) {
    if (!known.has(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'invalid_argument', message: `Unknown method ${method}` },
      });
    }
    return ipcRenderer.invoke(callChannel(method), args);
  },
  on(event, listener) {
    const channel = eventChannel(event);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, wrapped);
    return () => ipcRenderer.removeListener(channel, wrapped);
  },
  pathForFile(file) {
    return webUtils.getPathForFile(file) || null;
  },
};

contextBridge.exposeInMainWorld('api', api);
