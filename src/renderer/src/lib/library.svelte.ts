// Library state: the query, the images loaded page by page as the grid scrolls (so 20,000 images
// cost only what is on screen), the selection and the keyboard focus.
/* eslint-disable svelte/prefer-svelte-reactivity -- pages are immutable snapshots held in $state.raw: each change builds a new Map and assigns it; inflight is bookkeeping that no view reads. */
import { untrack } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import type { ImageWithCaptions, ListQuery } from '../../../shared/types';
import type { Client } from './client';

export const PAGE = 120;

export class LibraryState {
  query = $state<ListQuery>({});
  total = $state(0);
  /** Loaded pages by index; a page not present is fetched on demand. */
  pages = $state.raw<ReadonlyMap<number, ImageWithCaptions[]>>(new Map());
  loading = $state(false);
  error = $state<string | null>(null);
  selection = new SvelteSet<number>();
  focus = $state(0);
  /** What a query restricted to given image ids shows (e.g. "near duplicates"). */
  scopeLabel = $state<string | null>(null);
  /** Bumped on every reload, so that views can reset scroll. */
  generation = $state(0);
  private inflight = new Set<number>();
  private seq = 0;

  constructor(private readonly client: Client) {}

  /** Reloads from the first page for the current query; a newer load wins over an older one. */
  async load(): Promise<void> {
    const mine = ++this.seq;
    this.loading = true;
    this.inflight.clear();
    try {
      // Untracked: an effect that calls load() must not rerun (and load again) on every query change.
      const query = untrack(() => this.query);
      const page = await this.client.call('library.list', { ...query, offset: 0, limit: PAGE });
      if (mine !== this.seq) return;
      this.pages = new Map([[0, page.items]]);
      this.total = page.total;
      this.focus = Math.min(this.focus, Math.max(0, page.total - 1));
      this.error = null;
      this.generation++;
    } catch (e) {
      if (mine === this.seq) this.error = (e as Error).message;
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }

  /** Shows only these images (a health panel group), labelled; `null` shows everything again. */
  showOnly(imageIds: number[] | null, label: string | null = null): Promise<void> {
    this.scopeLabel = imageIds ? label : null;
    return this.setQuery({ imageIds: imageIds ?? undefined });
  }

  setQuery(patch: Partial<ListQuery>): Promise<void> {
    const next: ListQuery = { ...this.query, ...patch };
    for (const k of Object.keys(next) as (keyof ListQuery)[])
      if (next[k] === undefined || next[k] === '') delete next[k];
    this.query = next;
    this.focus = 0;
    this.selection.clear();
    return this.load();
  }

  /** The image at a position, or undefined while its page loads (the load is started). */
  at(index: number): ImageWithCaptions | undefined {
    if (index < 0 || index >= this.total) return undefined;
    const p = Math.floor(index / PAGE);
    const page = this.pages.get(p);
    if (!page) {
      void this.fetchPage(p);
      return undefined;
    }
    return page[index - p * PAGE];
  }

  /** Makes sure the pages covering [from, to) are loaded. */
  ensure(from: number, to: number): void {
    for (let p = Math.floor(Math.max(0, from) / PAGE); p <= Math.floor(Math.max(0, to - 1) / PAGE); p++) {
      if (!this.pages.has(p)) void this.fetchPage(p);
    }
  }

  private async fetchPage(p: number): Promise<void> {
    // Untracked, as in load(): at() runs inside the grid's render effects.
    const [query, total] = untrack(() => [this.query, this.total] as const);
    if (this.inflight.has(p) || p * PAGE >= total) return;
    this.inflight.add(p);
    const mine = this.seq;
    try {
      const page = await this.client.call('library.list', { ...query, offset: p * PAGE, limit: PAGE });
      if (mine !== this.seq) return;
      const next = new Map(this.pages);
      next.set(p, page.items);
      this.pages = next;
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.inflight.delete(p);
    }
  }

  /** Replaces the given images in place after an edit, without reloading everything. */
  async refresh(imageIds: number[]): Promise<void> {
    const wanted = new Set(imageIds);
    const fresh = await Promise.all(
      imageIds.map((imageId) => this.client.call('library.get', { imageId }).catch(() => null)),
    );
    const next = new Map(this.pages);
    for (const [p, items] of next) {
      if (!items.some((it) => wanted.has(it.id))) continue;
      next.set(
        p,
        items.map((it) => fresh.find((f) => f?.id === it.id) ?? it),
      );
    }
    this.pages = next;
  }

  /** Selects every image the current query matches, loaded or not (one request for the ids). */
  async selectAll(): Promise<void> {
    const { offset: _o, limit: _l, ...filters } = this.query;
    const { ids } = await this.client.call('library.ids', filters);
    for (const id of ids) this.selection.add(id);
  }

  /** Ids of the selection, or of the focused image when nothing is selected. */
  targets(): number[] {
    if (this.selection.size > 0) return [...this.selection];
    const img = this.at(this.focus);
    return img ? [img.id] : [];
  }
}
