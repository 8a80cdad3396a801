// Caption page state: the runs to caption with (up to three side by side), the beam, how maps are
// drawn, and the captioned photos with one column per run, kept for the life of the window so that
// switching tabs does not lose them; a photo is saved to the library with the caption chosen.
import type { CaptionStatus, GeneratedCaption, RunSummary } from '../../../shared/types';
import type { Client } from './client';
import { pathsOnDisk, upload } from './drop';
import type { Colormap } from './heat';
import { defaultBeam, heatSettings, setHeatSettings } from './settings';

/** Runs compared side by side at most. */
export const MAX_COMPARED = 3;

/** One run's caption of a photo. */
export interface CaptionColumn {
  runId: number;
  /** "run 3 · cnn-lstm-attn" */
  label: string;
  result: GeneratedCaption | null;
  /** The word whose map is shown (index into the tokens), or null for the photo alone. */
  word: number | null;
  error: string | null;
}

export interface CaptionItem {
  name: string;
  url: string;
  file: File;
  columns: CaptionColumn[];
  /** The caption to save (a column's, perhaps edited), the run it came from and its own text. */
  text: string;
  fromRun: number | null;
  modelText: string | null;
  saving: boolean;
  /** What the last save did, or why it failed. */
  saved: string | null;
  saveError: string | null;
}

const PHOTO = /\.(jpe?g|png|webp|gif|tiff?|avif)$/i;

const stamp = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

export class CaptionState {
  runs = $state.raw<RunSummary[]>([]);
  /** The chosen runs, one per slot (null: slot unused); the first slot is the main run. */
  slots = $state<(number | null)[]>([null, null, null]);
  beam = $state(defaultBeam());
  colormap = $state<Colormap>(heatSettings().colormap);
  opacity = $state(heatSettings().opacity);
  items = $state<CaptionItem[]>([]);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(private readonly client: Client) {}

  /** The distinct runs chosen, in slot order. */
  get chosen(): number[] {
    const ids = this.slots.filter((x): x is number => x !== null);
    return ids.filter((x, i) => ids.indexOf(x) === i);
  }

  /** Stores the colormap and opacity for the next start. */
  rememberHeat(): void {
    setHeatSettings({ colormap: this.colormap, opacity: this.opacity });
  }

  async loadRuns(): Promise<void> {
    try {
      const all = await this.client.call('runs.list', {});
      this.runs = all.filter((x) => x.checkpointDir);
      this.slots[0] ??= this.runs.find((x) => x.status === 'completed')?.id ?? this.runs[0]?.id ?? null;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private label(runId: number): string {
    const r = this.runs.find((x) => x.id === runId);
    return r ? `run ${r.id} · ${r.model}` : `run ${runId}`;
  }

  /**
   * Uploads the photos once and captions them with every chosen run (one request per run). Called
   * from event handlers (a drop, a file chooser), never from an effect: it reads and writes `items`.
   */
  async caption(files: File[]): Promise<void> {
    const photos = files.filter((f) => PHOTO.test(f.name));
    const runIds = this.chosen;
    if (!photos.length || runIds.length === 0) {
      this.error =
        runIds.length === 0
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
        file: f,
        columns: runIds.map((runId) => ({
          runId,
          label: this.label(runId),
          result: null,
          word: null,
          error: null,
        })),
        text: '',
        fromRun: null,
        modelText: null,
        saving: false,
        saved: null,
        saveError: null,
      })),
    );
    try {
      // In Electron the photos are read where they are; in a browser they are uploaded first.
      const paths = pathsOnDisk(this.client, photos) ?? (await this.uploaded(photos, 'caption'));
      const answers = await this.client.call('caption.compare', {
        runIds,
        paths,
        beam: this.beam,
        maps: true,
      });
      const failures: string[] = [];
      answers.forEach((a) => {
        const j = runIds.indexOf(a.runId);
        if (a.error) failures.push(`${this.label(a.runId)}: ${a.error.message}`);
        for (let i = 0; i < photos.length; i++) {
          const col = this.items[start + i].columns[j];
          if (a.captions?.[i]) col.result = a.captions[i];
          else col.error = a.error?.message ?? 'No caption came back.';
        }
      });
      // The first caption with words is the one offered for saving until another is chosen.
      for (let i = start; i < start + photos.length; i++) {
        const first = this.items[i].columns.find((c) => c.result?.caption.trim());
        if (first) this.choose(this.items[i], first);
      }
      if (failures.length) this.error = failures.join(' · ');
    } catch (e) {
      const message = (e as Error).message;
      this.error = message;
      for (let i = start; i < start + photos.length; i++)
        for (const col of this.items[i].columns) col.error = message;
    } finally {
      this.busy = false;
    }
  }

  /** Takes a column's caption as the one to save. */
  choose(item: CaptionItem, col: CaptionColumn): void {
    if (!col.result?.caption.trim()) return;
    item.text = col.result.caption;
    item.fromRun = col.runId;
    item.modelText = col.result.caption;
    item.saved = null;
    item.saveError = null;
  }

  /** Imports the photo into the library with the caption to save, as a draft or approved. */
  async save(item: CaptionItem, status: Extract<CaptionStatus, 'draft' | 'approved'>): Promise<void> {
    const text = item.text.trim();
    if (!text) {
      item.saveError = 'The caption is empty: choose a caption (or write one) first.';
      return;
    }
    item.saving = true;
    item.saved = null;
    item.saveError = null;
    try {
      const path =
        pathsOnDisk(this.client, [item.file])?.[0] ?? (await this.uploaded([item.file], 'keep'))[0];
      const edited = item.modelText !== null && item.modelText !== text;
      const r = await this.client.call('caption.save', {
        path,
        text,
        status,
        ...(item.fromRun !== null ? { runId: item.fromRun } : {}),
        ...(edited ? { modelText: item.modelText! } : {}),
      });
      const where = r.image === 'added' ? 'added to the library' : 'already in the library';
      item.saved = `Saved as ${status}: image ${r.imageId} (${where}).`;
    } catch (e) {
      item.saveError = `Not saved: ${(e as Error).message}`;
    } finally {
      item.saving = false;
    }
  }

  /** Uploads photos into a new batch folder (serve mode) and returns their paths there. */
  private async uploaded(photos: File[], kind: 'caption' | 'keep'): Promise<string[]> {
    const relPaths = photos.map((f, i) => `${i}-${f.name}`);
    const dir = await upload(
      this.client,
      photos.map((file, i) => ({ file, relPath: relPaths[i] })),
      () => {},
      `${kind}-${stamp()}`,
    );
    if (dir === null) throw new Error('The photo could not be uploaded.');
    return relPaths.map((p) => `${dir}/${p}`);
  }
}
