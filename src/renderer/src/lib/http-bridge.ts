// The ApiBridge over HTTP for serve mode: JSON calls with the session token in a header, files
// streamed as raw bytes on the upload route, and Server-Sent Events (the session cookie lets the
// EventSource in: it cannot send headers).
import {
  UPLOAD_ROUTE,
  type ApiBridge,
  type ApiEvents,
  type EventName,
  type UploadResult,
} from '../../../shared/api';
import type { Result } from '../../../shared/result';

/** A server's answer as a Result, whatever its status (413, 421… carry a JSON error too). */
async function answer<T>(res: Response): Promise<Result<T>> {
  try {
    return (await res.json()) as Result<T>;
  } catch {
    return {
      ok: false,
      error: { code: 'io', message: `The server answered ${res.status} ${res.statusText}.` },
    };
  }
}

const unreachable = (e: unknown): Result<never> => ({
  ok: false,
  error: { code: 'io', message: `The server did not answer: ${(e as Error).message}` },
});

export function httpBridge(base: string, token: string): ApiBridge {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  let source: EventSource | null = null;
  const ensureSource = () => {
    if (source) return;
    source = new EventSource(`${base}/events`);
    source.onmessage = (m) => {
      const { event, payload } = JSON.parse(m.data) as { event: EventName; payload: unknown };
      for (const l of listeners.get(event) ?? []) l(payload);
    };
  };
  return {
    async call(method, args) {
      try {
        const res = await fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(args ?? {}),
        });
        return await answer(res);
      } catch (e) {
        return unreachable(e);
      }
    },
    async upload(batchId, relPath, file) {
      const q = new URLSearchParams({ batch: batchId, name: relPath });
      try {
        const res = await fetch(`${base}${UPLOAD_ROUTE}?${q}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
          body: file,
        });
        return await answer<UploadResult>(res);
      } catch (e) {
        return unreachable(e);
      }
    },
    on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void) {
      ensureSource();
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}
