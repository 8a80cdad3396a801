// The app's shared state handed down through Svelte context: the API client and the state classes
// of the views (library, caption, runs, the toast), set once by App and read by any component.
import { getContext, setContext } from 'svelte';
import type { Client } from './client';
import type { LibraryState } from './library.svelte';
import type { CaptionState } from './caption.svelte';
import type { RunsState } from './runs.svelte';
import type { Notifier } from './notify.svelte';

export interface AppContext {
  client: Client;
  library: LibraryState;
  caption: CaptionState;
  runs: RunsState;
  toast: Notifier;
}

const KEY = Symbol('caption-studio');

export const setApp = (ctx: AppContext): AppContext => setContext(KEY, ctx);

export function app(): AppContext {
  const ctx = getContext<AppContext | undefined>(KEY);
  if (!ctx) throw new Error('app() is called from a component outside App.');
  return ctx;
}

/** "1 image", "2 images": a count with its noun, singular or plural. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
