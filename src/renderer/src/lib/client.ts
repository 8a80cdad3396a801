// The renderer's typed client over `window.api` (Electron) or HTTP (serve mode); errors come back
// as data and are thrown here as ApiError with their code.
import type { ApiBridge, ApiEvents, ArgsOf, EventName, Method, ResultOf } from '../../../shared/api';
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
}

/** IPC when the preload exposed window.api, else HTTP with the token from the page URL. */
export function pickBridge(): { bridge: ApiBridge; transport: 'ipc' | 'http'; token: string } {
  if (window.api) return { bridge: window.api, transport: 'ipc', token: '' };
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return { bridge: httpBridge(location.origin, token), transport: 'http', token };
}

export function createClient(picked: ReturnType<typeof pickBridge>): Client {
  const { bridge, transport, token } = picked;
  return {
    transport,
    async call(method, args) {
      const r = await bridge.call(method, args);
      if (!r.ok) throw new ApiError(r.error.code, r.error.message);
      return r.value;
    },
    on: (event, listener) => bridge.on(event, listener),
    pathForFile: (file) => bridge.pathForFile?.(file) ?? null,
    imageUrl(imageId, thumb = false) {
      const kind = thumb ? 'thumb' : 'full';
      return transport === 'ipc'
        ? `media://image/${kind}/${imageId}`
        : `/media/${kind}/${imageId}?token=${encodeURIComponent(token)}`;
    },
  };
}
