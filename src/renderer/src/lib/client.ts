// The renderer's typed client over `window.api` (Electron) or HTTP (serve mode); errors come back
// as data and are thrown here as ApiError with their code.
import type {
  ApiBridge,
  ApiEvents,
  ArgsOf,
  EventName,
  Method,
  ResultOf,
  UploadResult,
} from '../../../shared/api';
import type { ErrorCode } from '../../../shared/result';
import { httpBridge } from './http-bridge';

declare global {
  interface Window {
    api?: ApiBridge;
  }
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Client {
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** URL of an image (full size or thumbnail) in this transport. */
  imageUrl(imageId: number, thumb?: boolean): string;
  transport: 'ipc' | 'http';
  /** The path on disk of a dropped file or folder, where the transport knows it (Electron). */
  pathForFile(file: File): string | null;
  /** Puts one file into an upload batch: streamed in serve mode, base64 over IPC. */
  upload(batchId: string, relPath: string, file: File): Promise<UploadResult>;
}

const TOKEN_KEY = 'caption-studio.token';

/**
 * The serve-mode token: read once from the printed URL's `?token=`, kept for this tab only
 * (sessionStorage, so a reload still works) and removed from the address bar, history and any
 * Referer. The server has set the session cookie for images and events by then.
 */
export function takeToken(
  loc: Location = location,
  store: Storage = sessionStorage,
  hist: History = history,
): string {
  const url = new URL(loc.href);
  const given = url.searchParams.get('token');
  if (given === null) return store.getItem(TOKEN_KEY) ?? '';
  store.setItem(TOKEN_KEY, given);
  url.searchParams.delete('token');
  hist.replaceState(hist.state, '', url.pathname + url.search + url.hash);
  return given;
}

/** IPC when the preload exposed window.api, else HTTP with the token the page was opened with. */
export function pickBridge(): { bridge: ApiBridge; transport: 'ipc' | 'http' } {
  if (window.api) return { bridge: window.api, transport: 'ipc' };
  return { bridge: httpBridge(location.origin, takeToken()), transport: 'http' };
}

function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function createClient(picked: ReturnType<typeof pickBridge>): Client {
  const { bridge, transport } = picked;
  const call: Client['call'] = async (method, args) => {
    const r = await bridge.call(method, args);
    if (!r.ok) throw new ApiError(r.error.code, r.error.message);
    return r.value;
  };
  return {
    transport,
    call,
    async upload(batchId, relPath, file) {
      if (!bridge.upload) {
        const data = toBase64(await file.arrayBuffer());
        return call('import.upload', { batchId, relPath, data });
      }
      const r = await bridge.upload(batchId, relPath, file);
      if (!r.ok) throw new ApiError(r.error.code, r.error.message);
      return r.value;
    },
    on: (event, listener) => bridge.on(event, listener),
    pathForFile: (file) => bridge.pathForFile?.(file) ?? null,
    imageUrl(imageId, thumb = false) {
      const kind = thumb ? 'thumb' : 'full';
      // In serve mode the session cookie authorises images: no token in any URL.
      return transport === 'ipc' ? `media://image/${kind}/${imageId}` : `/media/${kind}/${imageId}`;
    },
  };
}
