// The fling detector: steady scrolls either side of the thresholds, bursty event timing, pauses.
import { describe, expect, it } from 'vitest';
import { FlingDetector } from './fling';

/** Feeds `frames` scroll events `stepPx` apart every `frameMs`; returns the last answer. */
function scroll(
  d: FlingDetector,
  from: { t: number; top: number },
  frames: number,
  stepPx: number,
  frameMs = 16.7,
) {
  let answer = false;
  for (let i = 0; i < frames; i++) {
    from.t += frameMs;
    from.top += stepPx;
    answer = d.sample(from.t, from.top);
  }
  return answer;
}

describe('FlingDetector', () => {
  it('calls 7,200 px/s a fling and 1,800 px/s a scroll', () => {
    expect(scroll(new FlingDetector(), { t: 0, top: 0 }, 30, 120)).toBe(true);
    expect(scroll(new FlingDetector(), { t: 0, top: 0 }, 30, 30)).toBe(false);
  });

  it('does not call the first events of a scroll a fling before it can measure', () => {
    const d = new FlingDetector();
    expect(d.sample(0, 0)).toBe(false);
    expect(d.sample(16, 120)).toBe(false);
    expect(d.sample(33, 240)).toBe(false);
    expect(scroll(d, { t: 33, top: 240 }, 3, 120)).toBe(true);
  });

  it('ignores bursty timing: two events 3 ms apart in a slow scroll', () => {
    const d = new FlingDetector();
    const at = { t: 0, top: 0 };
    scroll(d, at, 20, 30);
    expect(d.sample(at.t + 3, at.top + 30)).toBe(false);
    at.t += 3;
    at.top += 30;
    expect(scroll(d, at, 20, 30)).toBe(false);
  });

  it('keeps a fling until the speed falls under the lower threshold (hysteresis)', () => {
    const d = new FlingDetector();
    const at = { t: 0, top: 0 };
    expect(scroll(d, at, 20, 120)).toBe(true);
    expect(scroll(d, at, 20, 45)).toBe(true); // 2,700 px/s: under the start, over the end
    expect(scroll(d, at, 20, 30)).toBe(false); // 1,800 px/s
    expect(scroll(d, at, 20, 45)).toBe(false); // 2,700 px/s again: not enough to start one
  });

  it('ends a fling on a pause, and the next scroll starts from rest', () => {
    const d = new FlingDetector();
    const at = { t: 0, top: 0 };
    expect(scroll(d, at, 20, 120)).toBe(true);
    at.t += 500;
    at.top += 2000;
    expect(d.sample(at.t, at.top)).toBe(false); // a jump after a pause is not a fling
    expect(scroll(d, at, 20, 30)).toBe(false);
    expect(scroll(d, at, 10, 120)).toBe(true);
    d.pause();
    expect(d.flinging).toBe(false);
  });

  it('measures either direction', () => {
    expect(scroll(new FlingDetector(), { t: 0, top: 100_000 }, 30, -120)).toBe(true);
  });
});
