// Caption page state: the runs to caption with, the chosen run and beam, and the captioned photos,
// kept for the life of the window so that switching tabs does not lose them.
import type { GeneratedCaption, RunSummary } from '../../../shared/types';
import type { Client } from './client';
import { pathsOnDisk, upload } from './drop';
import { defaultBeam } from './settings';

export interface CaptionItem {
  name: string;
  url: string;
  result: GeneratedCaption | null;
  word: number | null;
  error: string | null;
}

const PHOTO = /\.(jpe?g|png|webp|gif|tiff?|avif)$/i;

export class CaptionState {
  runs = $state.raw<RunSummary[]>([]);
  runId = $state<number | null>(null);
  beam = $state(defaultBeam());
  items = $state<CaptionItem[]>([]);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly client: Client) {}

  async loadRuns(): Promise<void> {
    try {
      const all = await this.client.call('runs.list', {});
      this.runs = all.filter((x) => x.checkpointDir);
      this.runId ??= this.runs.find((x) => x.status === 'completed')?.id ?? this.runs[0]?.id ?? null;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /**
   * Uploads the photos once and captions them with the chosen run. Called from event handlers (a
   * drop, a file chooser), never from an effect: it reads and writes `items`.
   */
  async caption(files: File[]): Promise<void> {
    const photos = files.filter((f) => PHOTO.test(f.name));
    const runId = this.runId;
    if (!photos.length || runId === null) {
      this.error =
        runId === null
          ? 'Train a run first (Runs), then caption photos with it.'
          : 'Drop photo files (JPEG, PNG, WebP…).';
      return;
    }
    this.error = null;
    this.busy = true;
    const start = this.items.length;
    this.items.push(
      ...photos.map((f) => ({
        name: f.name,
        url: URL.createObjectURL(f),
        result: null,
        word: null,
        error: null,
      })),
    );
    try {
      // In Electron the photos are read where they are; in a browser they are uploaded first.
      const paths = pathsOnDisk(this.client, photos) ?? (await this.uploaded(photos));
      const results = await this.client.call('caption.generate', {
        runId,
        paths,
        beam: this.beam,
        maps: true,
      });
      results.forEach((r, i) => (this.items[start + i].result = r));
    } catch (e) {
      const message = (e as Error).message;
      this.error = message;
      for (let i = start; i < start + photos.length; i++) this.items[i].error = message;
    } finally {
      this.busy = false;
    }
  }

  /** Uploads photos into a new batch folder (serve mode) and returns their paths there. */
  private async uploaded(photos: File[]): Promise<string[]> {
    const stamp = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const relPaths = photos.map((f, i) => `${i}-${f.name}`);
    const dir = await upload(
      this.client,
      photos.map((file, i) => ({ file, relPath: relPaths[i] })),
      () => {},
      `caption-${stamp}`,
    );
    return relPaths.map((p) => `${dir}/${p}`);
  }
}
