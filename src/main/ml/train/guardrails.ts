// Training guardrails: signs that a captioner has gone wrong, read from the captions it generates on
// the validation images (FIELD_NOTES §3: "same caption for every image", "emits only EOS",
// repetitions) and from the loss (NaN). Each becomes a warning on the run with the step it began.

export type WarningKind = 'nan-loss' | 'collapse' | 'eos-only' | 'repetition';

export interface RunWarning {
  kind: WarningKind;
  /** Optimiser step at which it was first seen. */
  step: number;
  epoch: number;
  message: string;
}

/** Thresholds: a share of the decoded captions above which the run is flagged. */
export const GUARD = Object.freeze({ collapse: 0.5, eosOnly: 0.5, repetition: 0.3, minImages: 4 });

/** An n-gram (n = 1..3) repeated three times back to back ("circle circle circle", "a red a red a red"). */
export function runaway(words: readonly string[]): boolean {
  for (let n = 1; n <= 3; n++)
    for (let i = 0; i + 3 * n <= words.length; i++) {
      let same = true;
      for (let k = 0; k < n && same; k++)
        same = words[i + k] === words[i + n + k] && words[i + k] === words[i + 2 * n + k];
      if (same) return true;
    }
  return false;
}

/** The problems a set of decoded captions (words, eos and pad removed) shows, with messages. */
export function captionProblems(captions: readonly string[]): Array<{ kind: WarningKind; message: string }> {
  const n = captions.length;
  if (n < GUARD.minImages) return [];
  const out: Array<{ kind: WarningKind; message: string }> = [];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const empty = captions.filter((c) => c.trim() === '').length / n;
  if (empty >= GUARD.eosOnly)
    out.push({
      kind: 'eos-only',
      message: `${pct(empty)} of the validation captions are empty (the model emits only <eos>). Lower the learning rate or check the captions.`,
    });
  const counts = new Map<string, number>();
  for (const c of captions) counts.set(c, (counts.get(c) ?? 0) + 1);
  const [top, topN] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
  if (top.trim() !== '' && topN / n >= GUARD.collapse)
    out.push({
      kind: 'collapse',
      message: `${pct(topN / n)} of the validation images get the same caption ("${top}"): the model ignores the image. Lower the learning rate, train longer, or check that images and captions match.`,
    });
  const rep = captions.filter((c) => runaway(c.split(/\s+/).filter(Boolean))).length / n;
  if (rep >= GUARD.repetition)
    out.push({
      kind: 'repetition',
      message: `${pct(rep)} of the validation captions repeat a phrase three times in a row. Train longer, or decode with a no-repeat n-gram ban.`,
    });
  return out;
}

/**
 * Caption problems of one validation: a problem counts once it shows at two validations in a row
 * (every model starts out collapsed for an epoch or so); the warning carries the step of the first.
 * Returns the problems to remember for the next validation.
 */
export function recurringProblems(
  captions: readonly string[],
  suspect: Record<string, { step: number; epoch: number }> | undefined,
  now: { step: number; epoch: number },
  warn: (w: RunWarning) => void,
): Record<string, { step: number; epoch: number }> {
  const seen = captionProblems(captions);
  for (const p of seen) {
    const first = suspect?.[p.kind];
    if (first) warn({ ...p, ...first });
  }
  return Object.fromEntries(seen.map((p) => [p.kind, suspect?.[p.kind] ?? now]));
}
