// "Did you mean …?" for settings: the known name a misspelt one most probably meant, so a typo is
// refused with the fix instead of being kept and silently ignored.

/** Levenshtein distance, case-insensitive (settings are short: a plain table is fine). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length];
}

/**
 * The known name `name` probably meant: the same but for case, one a prefix of the other, or within
 * two edits (one for names of four letters or fewer); undefined when nothing is close.
 */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  const all = [...known];
  const exact = all.find(
    (n) => n.toLowerCase() === name.toLowerCase() || n.startsWith(name) || name.startsWith(n),
  );
  if (exact) return exact;
  const limit = name.length <= 4 ? 1 : 2;
  let best: { n: string; d: number } | undefined;
  for (const n of all) {
    const d = distance(name, n);
    if (d <= limit && (!best || d < best.d)) best = { n, d };
  }
  return best?.n;
}

/** The first key of `given` not in `known`, with the name it probably meant. */
export function unknownKey(
  given: object,
  known: Iterable<string>,
): { key: string; near: string | undefined } | null {
  const set = new Set(known);
  for (const key of Object.keys(given)) if (!set.has(key)) return { key, near: nearestName(key, set) };
  return null;
}
