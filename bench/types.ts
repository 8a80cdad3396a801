// What a benchmark module exports: named cases that each return table rows.
export interface BenchRow {
  /** What was measured, e.g. "metrics: 5,000 images × 5 refs". */
  name: string;
  value: number;
  unit: string;
  /** A comparison or goal, e.g. "goal < 1 s" or "ratio 0.8 of sharp alone". */
  note?: string;
}

export interface Bench {
  name: string;
  run(): Promise<BenchRow[]>;
}

/** Median wall time in ms of `reps` runs after `warmup` runs. */
export async function timeIt(fn: () => unknown | Promise<unknown>, reps = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
