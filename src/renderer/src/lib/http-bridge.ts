// The ApiBridge over HTTP for serve mode: JSON calls and Server-Sent Events, with the session token.
import type { ApiBridge, ApiEvents, EventName } from '../../../shared/api';
import type { Result } from '../../../shared/result';

export function httpBridge(base: string, token: string): ApiBridge {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  let source: EventSource | null = null;
  const ensureSource = () => {
    if (source) return;
    source = new EventSource(`${base}/events?token=${encodeURIComponent(token)}`);
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
        return (await res.json()) as Result<never>;
      } catch (e) {
        return {
          ok: false,
          error: { code: 'io', message: `The server did not answer: ${(e as Error).message}` },
        };
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
