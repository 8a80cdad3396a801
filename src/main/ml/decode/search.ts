// Greedy and beam search over any Decoder, batched over images, carrying the decoder state from
// step to step on the device (one small read per step: the chosen ids and their log-probs).
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import { computeMaps } from './maps';
import { banMask } from './ngram';
import type { Decoder, DecodeResult, DecoderState } from './types';

export interface DecodeOptions {
  /** Most tokens to generate, eos included (default 15 = the bench configuration's 16 minus bos). */
  maxTokens?: number;
  /** Ban repeating any n-gram of this size (0 = off), as HF's no_repeat_ngram_size. */
  noRepeatNgram?: number;
  /** Also compute the per-word maps (attention, or saliency for models without attention). */
  maps?: boolean;
}

export interface BeamOptions extends DecodeOptions {
  /** Beams per image (1 = greedy). */
  width?: number;
  /**
   * Exponent α of the length normalisation score = Σ log p / len^α (HF's length_penalty; len =
   * generated words before eos). 0 = raw sum, which favours short captions; default 1.
   */
  lengthPenalty?: number;
}

function checkOpts(o: DecodeOptions): Required<DecodeOptions> {
  const maxTokens = o.maxTokens ?? 15;
  const noRepeatNgram = o.noRepeatNgram ?? 0;
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 1)
    throw new AppError('invalid_argument', `maxTokens must be a positive integer, got ${maxTokens}.`);
  if (!Number.isSafeInteger(noRepeatNgram) || noRepeatNgram < 0)
    throw new AppError(
      'invalid_argument',
      `noRepeatNgram must be 0 (off) or a positive integer, got ${noRepeatNgram}.`,
    );
  return { maxTokens, noRepeatNgram, maps: o.maps ?? false };
}

/** Picks the most likely token at every step. */
export async function greedyDecode(
  decoder: Decoder,
  images: tf.Tensor4D,
  options: DecodeOptions = {},
): Promise<DecodeResult> {
  const o = checkOpts(options);
  const n = images.shape[0];
  const { vocabSize, bosId, eosId } = decoder;
  let state = tf.tidy(() => decoder.encode(images));
  let tokens = tf.fill([n], bosId, 'int32') as tf.Tensor1D; // [N]
  const seqs = Array.from({ length: n }, () => [bosId]);
  const probs: number[][] = Array.from({ length: n }, () => []);
  const scores = new Array<number>(n).fill(0);
  const done = new Array<boolean>(n).fill(false);
  try {
    for (let t = 0; t < o.maxTokens && !done.every(Boolean); t++) {
      const mask = banMask(seqs, o.noRepeatNgram, vocabSize);
      const next = tf.tidy(() => {
        const r = decoder.step(state, tokens);
        let logp = tf.logSoftmax(r.logits) as tf.Tensor2D; // [N, V]
        if (mask) logp = tf.add(logp, mask);
        const ids = tf.argMax(logp, 1) as tf.Tensor1D; // [N] int32
        // a banned token is never the max, so max(logp) is the chosen token's own log-prob
        const pick = tf.stack([ids.toFloat(), tf.max(logp, 1)]); // [2, N]
        return { state: r.state, ids, pick };
      });
      mask?.dispose();
      tf.dispose([state, tokens]);
      state = next.state;
      tokens = next.ids;
      const pick = await next.pick.data();
      next.pick.dispose();
      for (let i = 0; i < n; i++) {
        if (done[i]) continue;
        const id = pick[i];
        seqs[i].push(id);
        probs[i].push(Math.exp(pick[n + i]));
        scores[i] += pick[n + i];
        if (id === eosId) done[i] = true;
      }
    }
  } finally {
    tf.dispose([state, tokens]);
  }
  const out = seqs.map((s) => s.slice(1));
  const result: DecodeResult = { tokens: out, probs, scores };
  if (o.maps) result.maps = await computeMaps(decoder, images, out);
  return result;
}

interface Hyp {
  tokens: number[];
  logps: number[];
  score: number;
}

/**
 * Beam search, all images at once (rows = image × beam). An image is finished once `width`
 * hypotheses have ended in eos (HF early_stopping=True), so width 1 gives exactly greedy's caption;
 * at the length limit the live beams become hypotheses too.
 */
export async function beamDecode(
  decoder: Decoder,
  images: tf.Tensor4D,
  options: BeamOptions = {},
): Promise<DecodeResult> {
  const o = checkOpts(options);
  const k = options.width ?? 3;
  const alpha = options.lengthPenalty ?? 1;
  if (!Number.isSafeInteger(k) || k < 1)
    throw new AppError('invalid_argument', `Beam width must be a positive integer, got ${k}.`);
  const n = images.shape[0];
  const rows = n * k;
  const { vocabSize, bosId, eosId, padId } = decoder;
  const cand = Math.min(2 * k, k * vocabSize); // 2k candidates leave k non-eos ones (as HF)
  const norm = (sum: number, words: number) => sum / Math.max(1, words) ** alpha;

  let state: DecoderState = tf.tidy(() => {
    const s = decoder.encode(images);
    const rep = tf.tensor1d(
      Array.from({ length: rows }, (_, r) => Math.floor(r / k)),
      'int32',
    ); // [N·K]
    return decoder.reorder(s, rep);
  });
  let tokens = tf.fill([rows], bosId, 'int32') as tf.Tensor1D; // [N·K]
  // Only beam 0 of each image is live at first, so the first step does not pick k copies of one word.
  let beamScores = Float32Array.from({ length: rows }, (_, r) => (r % k === 0 ? 0 : -1e9));
  let seqs: number[][] = Array.from({ length: rows }, () => [bosId]);
  let logps: number[][] = Array.from({ length: rows }, () => []);
  const hyps: Hyp[][] = Array.from({ length: n }, () => []);
  const done = new Array<boolean>(n).fill(false);

  try {
    for (let t = 0; t < o.maxTokens && !done.every(Boolean); t++) {
      const mask = banMask(seqs, o.noRepeatNgram, vocabSize);
      const scoresT = tf.tensor2d(beamScores, [rows, 1]);
      const next = tf.tidy(() => {
        const r = decoder.step(state, tokens);
        let logp = tf.logSoftmax(r.logits); // [N·K, V]
        if (mask) logp = tf.add(logp, mask);
        const total = tf.add(logp, scoresT).reshape([n, k * vocabSize]); // [N, K·V]
        const { values, indices } = tf.topk(total, cand); // [N, 2K]
        return { state: r.state, values, indices };
      });
      tf.dispose([scoresT, tokens]);
      if (mask) mask.dispose();
      const [vals, idxs] = await Promise.all([next.values.data(), next.indices.data()]);
      tf.dispose([next.values, next.indices]);

      const parents = new Int32Array(rows);
      const nextTokens = new Int32Array(rows).fill(padId);
      const nextScores = new Float32Array(rows).fill(-1e9);
      const nextSeqs: number[][] = [];
      const nextLogps: number[][] = [];
      const last = t === o.maxTokens - 1;
      for (let i = 0; i < n; i++) {
        let filled = 0;
        if (!done[i]) {
          for (let c = 0; c < cand && filled < k; c++) {
            const flat = idxs[i * cand + c];
            const row = i * k + Math.floor(flat / vocabSize);
            const tok = flat % vocabSize;
            const total = vals[i * cand + c];
            if (total <= -1e8) break; // only dead beams and banned tokens are left
            const lp = total - beamScores[row];
            if (tok === eosId) {
              // an eos outside the top k is not taken, as in HF's BeamSearchScorer
              if (c < k) {
                const words = seqs[row].length - 1;
                hyps[i].push({
                  tokens: [...seqs[row].slice(1), tok],
                  logps: [...logps[row], lp],
                  score: norm(total, words),
                });
              }
              continue;
            }
            const dst = i * k + filled++;
            parents[dst] = row;
            nextTokens[dst] = tok;
            nextScores[dst] = total;
            nextSeqs[dst] = [...seqs[row], tok];
            nextLogps[dst] = [...logps[row], lp];
          }
          if (hyps[i].length >= k) done[i] = true;
          else if (last)
            for (let b = 0; b < filled; b++) {
              const dst = i * k + b;
              hyps[i].push({
                tokens: nextSeqs[dst].slice(1),
                logps: nextLogps[dst],
                score: norm(nextScores[dst], nextSeqs[dst].length - 1),
              });
            }
        }
        for (let b = filled; b < k; b++) {
          const dst = i * k + b;
          parents[dst] = i * k; // a dead row: any parent of this image keeps shapes fixed
          nextSeqs[dst] = [bosId];
          nextLogps[dst] = [];
        }
      }
      const parentT = tf.tensor1d(parents, 'int32');
      const old = state;
      state = tf.tidy(() => decoder.reorder(next.state, parentT));
      tf.dispose([parentT, old, next.state]);
      tokens = tf.tensor1d(nextTokens, 'int32');
      beamScores = nextScores;
      seqs = nextSeqs;
      logps = nextLogps;
    }
  } finally {
    tf.dispose([state, tokens]);
  }

  const best = hyps.map((h) => h.reduce((a, b) => (b.score > a.score ? b : a), h[0]));
  const result: DecodeResult = {
    tokens: best.map((h) => h?.tokens ?? []),
    probs: best.map((h) => h?.logps.map(Math.exp) ?? []),
    scores: best.map((h) => h?.score ?? -Infinity),
  };
  if (o.maps) result.maps = await computeMaps(decoder, images, result.tokens);
  return result;
}
