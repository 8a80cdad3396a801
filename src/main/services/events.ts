// A typed event bus for the API's events; the IPC layer and the HTTP bridge subscribe to it.
import type { ApiEvents, EventName } from '../../shared/api';

type Listener<E extends EventName> = (payload: ApiEvents[E]) => void;

export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as Listener<EventName>);
    this.listeners.set(event, set);
    return () => set.delete(listener as Listener<EventName>);
  }

  /** Listens to every event; used by transports that forward all of them. */
  onAny(listener: <E extends EventName>(event: E, payload: ApiEvents[E]) => void): () => void {
    const offs = (['library.changed', 'job.progress', 'run.changed'] as const).map((e) =>
      this.on(e, (p) => listener(e, p)),
    );
    return () => offs.forEach((off) => off());
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }
}
