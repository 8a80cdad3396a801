// Tells a fling from a scroll: the grid's thumbnails load only where the scroll settles. Speed is
// measured over a window of recent scroll events (a single event pair is too noisy: two events a
// few ms apart look like a fling), with hysteresis so a speed near the threshold does not flip.

export interface FlingOptions {
  /** A fling starts above this speed… */
  startPxPerS: number;
  /** …and ends below this one, or when the scroll pauses. */
  endPxPerS: number;
  /** The window speed is measured over. */
  windowMs: number;
  /** A pause this long ends a fling and starts the next scroll from rest. */
  pauseMs: number;
}

export const FLING_DEFAULTS: FlingOptions = Object.freeze({
  startPxPerS: 3000,
  endPxPerS: 2000,
  windowMs: 100,
  pauseMs: 120,
});

export class FlingDetector {
  private samples: { t: number; top: number }[] = [];
  private active = false;

  constructor(private readonly opts: FlingOptions = FLING_DEFAULTS) {}

  get flinging(): boolean {
    return this.active;
  }

  /** Records a scroll event (time in ms, scrollTop in px); returns whether this is a fling. */
  sample(t: number, top: number): boolean {
    const lastT = this.samples.at(-1)?.t;
    if (lastT !== undefined && t - lastT > this.opts.pauseMs) {
      this.samples = [];
      this.active = false;
    }
    this.samples.push({ t, top });
    while (this.samples.length > 2 && t - this.samples[1].t >= this.opts.windowMs) this.samples.shift();
    const speed = this.speed();
    if (speed !== null) this.active = speed > (this.active ? this.opts.endPxPerS : this.opts.startPxPerS);
    return this.active;
  }

  /** The scroll has paused (no event for pauseMs): no fling. */
  pause(): void {
    this.samples = [];
    this.active = false;
  }

  /** px/s over the window, or null while the window is too short to tell (under half of it). */
  private speed(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1)!;
    const dt = last.t - first.t;
    if (dt < this.opts.windowMs / 2) return null;
    return (Math.abs(last.top - first.top) / dt) * 1000;
  }
}
