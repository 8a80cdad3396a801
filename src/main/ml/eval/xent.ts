// Test cross-entropy and perplexity over reference tokens, padding masked out: plain arrays in, so the
// trainer can hand over what its model produced without tensors.

export interface CrossEntropy {
  /** Mean negative log-likelihood per counted token, in nats. */
  crossEntropy: number;
  /** exp(crossEntropy). */
  perplexity: number;
  /** How many tokens were counted (mask ≠ 0). */
  tokens: number;
}

/**
 * Token-level cross-entropy: `logProbs[b][t]` is the model's natural-log probability of the reference
 * token at step t of sequence b, `mask[b][t]` is 1 for a real token and 0 for padding. The mean is
 * over all counted tokens of all sequences (not a mean of per-sequence means), as the usual
 * masked loss `Σ −log p · m / Σ m` is. Throws when the shapes differ, a log-probability is positive
 * or not finite on a counted token, or nothing is counted.
 */
export function crossEntropy(
  logProbs: ArrayLike<ArrayLike<number>>,
  mask: ArrayLike<ArrayLike<number>>,
): CrossEntropy {
  if (logProbs.length !== mask.length)
    throw new Error(
      `crossEntropy: ${logProbs.length} sequences of log-probabilities but ${mask.length} masks`,
    );
  let total = 0;
  let tokens = 0;
  for (let b = 0; b < logProbs.length; b++) {
    const lp = logProbs[b];
    const m = mask[b];
    if (lp.length !== m.length)
      throw new Error(
        `crossEntropy: sequence ${b} has ${lp.length} log-probabilities but ${m.length} mask entries`,
      );
    for (let t = 0; t < lp.length; t++) {
      if (m[t] === 0) continue;
      const v = lp[t];
      if (!Number.isFinite(v) || v > 0)
        throw new Error(
          `crossEntropy: log-probability at [${b}][${t}] is ${v}; pass natural-log probabilities (≤ 0) of the reference tokens`,
        );
      total -= v * m[t];
      tokens += m[t];
    }
  }
  if (tokens === 0) throw new Error('crossEntropy: every token is masked out; nothing to average');
  const ce = total / tokens;
  return { crossEntropy: ce, perplexity: Math.exp(ce), tokens };
}

/** The mask for padded target ids: 1 where the id is not `padId`. */
export function maskFromIds(ids: ArrayLike<ArrayLike<number>>, padId: number): number[][] {
  return Array.from({ length: ids.length }, (_, b) => Array.from(ids[b], (id) => (id === padId ? 0 : 1)));
}

/** The mask for sequences of the given lengths padded to `steps`; use it when the pad id is also a
 *  real token (GPT-2 pads with its end-of-text id 50256, which must still be counted once). */
export function maskFromLengths(lengths: ArrayLike<number>, steps: number): number[][] {
  return Array.from(lengths, (len) => Array.from({ length: steps }, (_, t) => (t < len ? 1 : 0)));
}
