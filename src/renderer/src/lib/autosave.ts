// Autosave for caption text: saves after a pause in typing and on blur, and keeps a copy of
// unsaved text in localStorage so that nothing typed is lost if the window closes or crashes.
const KEY = (captionId: number) => `caption-studio:unsaved:${captionId}`;

export interface Unsaved {
  text: string;
  /** The saved text the edit started from. */
  base: string;
}

export function keepUnsaved(captionId: number, u: Unsaved): void {
  try {
    localStorage.setItem(KEY(captionId), JSON.stringify(u));
  } catch {
    // Storage full or disabled: the debounced save still runs.
  }
}

export function dropUnsaved(captionId: number): void {
  localStorage.removeItem(KEY(captionId));
}

export function findUnsaved(captionId: number): Unsaved | null {
  const raw = localStorage.getItem(KEY(captionId));
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Unsaved;
  } catch {
    return null;
  }
}

/** One debounced saver per caption id. */
export class Saver {
  private timers = new Map<number, ReturnType<typeof setTimeout>>();
  constructor(
    private readonly save: (captionId: number) => Promise<void>,
    private readonly delayMs = 800,
  ) {}

  schedule(captionId: number): void {
    clearTimeout(this.timers.get(captionId));
    this.timers.set(
      captionId,
      setTimeout(() => {
        this.timers.delete(captionId);
        void this.save(captionId);
      }, this.delayMs),
    );
  }

  /** Saves every pending caption now. */
  async flush(): Promise<void> {
    const ids = [...this.timers.keys()];
    for (const id of ids) clearTimeout(this.timers.get(id));
    this.timers.clear();
    await Promise.all(ids.map((id) => this.save(id)));
  }
}
