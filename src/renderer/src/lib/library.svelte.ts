// Library state: the current query, the loaded page of images, and reloads on library changes.
import type { ImageWithCaptions, ListQuery } from '../../../shared/types';
import type { Client } from './client';

export class LibraryState {
  query = $state<ListQuery>({});
  items = $state.raw<ImageWithCaptions[]>([]);
  total = $state(0);
  loading = $state(false);
  error = $state<string | null>(null);
  private seq = 0;

  constructor(private readonly client: Client) {}

  /** Loads the first page for the current query; a newer load wins over an older one. */
  async load(pageSize = 200): Promise<void> {
    const mine = ++this.seq;
    this.loading = true;
    try {
      const page = await this.client.call('library.list', { ...this.query, offset: 0, limit: pageSize });
      if (mine !== this.seq) return;
      this.items = page.items;
      this.total = page.total;
      this.error = null;
    } catch (e) {
      if (mine === this.seq) this.error = (e as Error).message;
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }

  async loadMore(pageSize = 200): Promise<void> {
    if (this.loading || this.items.length >= this.total) return;
    const mine = this.seq;
    this.loading = true;
    try {
      const page = await this.client.call('library.list', {
        ...this.query,
        offset: this.items.length,
        limit: pageSize,
      });
      if (mine === this.seq) this.items = [...this.items, ...page.items];
    } finally {
      this.loading = false;
    }
  }

  /** Replaces the given images in place after an edit, without reloading the page. */
  async refresh(imageIds: number[]): Promise<void> {
    const fresh = await Promise.all(
      imageIds.map((imageId) => this.client.call('library.get', { imageId }).catch(() => null)),
    );
    const found = fresh.filter((x): x is ImageWithCaptions => x !== null);
    this.items = this.items.map((it) => found.find((x) => x.id === it.id) ?? it);
  }
}
