// vit-gpt2 as a CaptionModel on the wasm backend: the PyTorch reference's logits reproduced through the
// key/value cache one token at a time, cached decoding = full recomputation (greedy tokens and
// logits), flat tensor counts over decoding and training, save → load bit-identical, two Adam steps
// lower the loss, parallel scheduled sampling and dropout replay exactly with the same seed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nodeLoader, selectBackend } from '../../src/main/ml/backend';
import { beamDecode, greedyDecode } from '../../src/main/ml/decode/search';
import { resolveVitGpt2Config, VitGpt2, vitGpt2Spec } from '../../src/main/ml/models/vitGpt2';
import { gpt2Decode } from '../../src/main/ml/models/vitGpt2Net';
import { readSafetensors } from '../../src/main/ml/weights/safetensors';
import type { CaptionTokenizer } from '../../src/main/text/tokenizer';
import { WORD_TEXT } from '../../src/main/text/vocab';

const FIXTURE = join(__dirname, '../fixtures/vit-gpt2/proj');

/** The fixture's id space (50 ids, bos = eos = pad = 49, as GPT-2 captioners have): ids as text. */
const idTokenizer: CaptionTokenizer = {
  kind: 'ids',
  vocabSize: 50,
  bosId: 49,
  eosId: 49,
  padId: 49,
  encode: (text) => text.split(' ').map(Number),
  decode: (ids) => ids.filter((i) => i !== 49).join(' '),
  tokenText: (id) => String(id),
  serialize: () => 'ids',
};

function readTensors(file: string) {
  const st = readSafetensors(new Uint8Array(readFileSync(file)));
  return new Map(st.names.map((n) => [n, { shape: st.info(n).shape, data: st.float32(n) }]));
}

/** The reference checkpoint (ViT width 16, GPT-2 width 24 with enc_to_dec_proj, pooler) in the model. */
function fixtureModel(): VitGpt2 {
  const config = resolveVitGpt2Config({
    preset: 'tiny',
    encoder: { imageSize: 16, patchSize: 4, hidden: 16, layers: 2, heads: 2, mlp: 32 },
    decoder: { hidden: 24, layers: 2, heads: 3, mlp: 96 },
    pooler: true,
    vocabSize: 50,
    padId: 49,
    bosId: 49,
    eosId: 49,
    maxLength: 12,
    positions: 12,
  });
  const m = new VitGpt2(config, idTokenizer);
  m.params.load(readTensors(join(FIXTURE, 'model.safetensors')));
  return m;
}

const SMALL = {
  encoder: { imageSize: 16, patchSize: 4, hidden: 16, layers: 2, heads: 2, mlp: 32 },
  decoder: { hidden: 16, layers: 2, heads: 2, mlp: 32 },
};
const CAPTIONS = ['a red circle', 'a big blue square left of a circle', 'a small green triangle'];
const tokenizer = WORD_TEXT.build(CAPTIONS, { minCount: 1 });

let ref: Map<string, { shape: number[]; data: Float32Array }>;
let pixels: tf.Tensor4D; // [2, 16, 16, 3]
let ids: number[][];
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'train');
  ref = readTensors(join(FIXTURE, 'outputs.safetensors'));
  const px = ref.get('pixel_values')!;
  pixels = tf.tidy(() =>
    tf.tensor4d(px.data, px.shape as [number, number, number, number]).transpose([0, 2, 3, 1]),
  );
  const r = ref.get('decoder_input_ids')!;
  ids = [0, 1].map((i) => Array.from(r.data.slice(i * 5, i * 5 + 5)));
});
afterAll(() => pixels.dispose());

describe('vit-gpt2 model', () => {
  it('the key/value cache, one token a step, reproduces the PyTorch reference logits (1e-4)', () => {
    const m = fixtureModel();
    const before = tf.memory().numTensors;
    const want = ref.get('logits')!; // [2, 5, 50]
    let state = tf.tidy(() => m.encode(pixels));
    let worst = 0;
    for (let t = 0; t < 5; t++) {
      const tok = tf.tensor1d([ids[0][t], ids[1][t]], 'int32');
      const out = tf.tidy(() => m.step(state, tok));
      const got = out.logits.dataSync();
      for (let b = 0; b < 2; b++)
        for (let v = 0; v < 50; v++)
          worst = Math.max(worst, Math.abs(got[b * 50 + v] - want.data[(b * 5 + t) * 50 + v]));
      // the step's map: last layer, mean over heads, on the 4×4 patch grid, summing to 1
      expect(out.attention!.shape).toEqual([2, 16]);
      const sums = tf.tidy(() => tf.sum(out.attention!, 1).dataSync());
      sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
      const crossLast = ref.get('cross_attentions.1')!; // [2, 3, 5, 17]
      const a = out.attention!.dataSync();
      for (let b = 0; b < 2; b++) {
        const mean = Array.from({ length: 17 }, (_, j) => {
          let s = 0;
          for (let h = 0; h < 3; h++) s += crossLast.data[((b * 3 + h) * 5 + t) * 17 + j];
          return s / 3;
        });
        const z = mean.slice(1).reduce((x, y) => x + y, 0);
        mean.slice(1).forEach((p, j) => expect(Math.abs(a[b * 16 + j] - p / z)).toBeLessThan(1e-4));
      }
      tf.dispose([tok, out.logits, out.attention!, ...Object.values(state)]);
      state = out.state;
    }
    tf.dispose(Object.values(state));
    expect(worst, `max |cached − reference| = ${worst}`).toBeLessThanOrEqual(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('greedy decoding with the cache gives the tokens of full recomputation; counts stay flat', async () => {
    const m = fixtureModel();
    const g = await greedyDecode(m, pixels, { maxTokens: 8 });
    // recompute: the whole prefix through the decoder at every step, argmax of the last position
    const want = tf.tidy(() => {
      const state = m.encode(pixels);
      const cross = [0, 1].map((i) => ({
        k: state[`ck${i}`] as tf.Tensor3D,
        v: state[`cv${i}`] as tf.Tensor3D,
      }));
      const W = (n: string) => m.params.get(n);
      const seqs = [[49], [49]];
      for (let t = 0; t < 8; t++) {
        const logits = gpt2Decode(m.arch, W, tf.tensor2d(seqs, undefined, 'int32'), cross).logits; // [2, t+1, V]
        const last = tf
          .argMax(tf.slice(logits, [0, t, 0], [2, 1, 50]).reshape([2, 50]), 1)
          .arraySync() as number[];
        seqs.forEach((s, i) => s.push(last[i]));
      }
      return seqs.map((s) => s.slice(1));
    });
    // greedy stops a row at eos (49); the recomputation runs on, so compare up to and including eos
    g.tokens.forEach((toks, i) => expect(toks).toEqual(want[i].slice(0, toks.length)));
    expect(g.tokens.some((t) => t.length > 1)).toBe(true);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 2; k++) {
      await greedyDecode(m, pixels, { maxTokens: 8, maps: true });
      await beamDecode(m, pixels, { width: 3, maxTokens: 8, maps: true });
    }
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('the per-layer, per-head cross-attention maps are the reference weights without the CLS column', () => {
    const m = fixtureModel();
    const tokens = tf.tensor2d(ids, undefined, 'int32');
    const { layers, map } = m.crossAttentionMaps(pixels, tokens);
    expect(layers.map((l) => l.shape)).toEqual([
      [2, 3, 5, 16],
      [2, 3, 5, 16],
    ]);
    expect(map.shape).toEqual([2, 5, 16]);
    layers.forEach((l, i) => {
      const want = ref.get(`cross_attentions.${i}`)!.data; // [2, 3, 5, 17]
      const got = l.dataSync();
      for (let r = 0; r < 2 * 3 * 5; r++)
        for (let j = 0; j < 16; j++)
          expect(Math.abs(got[r * 16 + j] - want[r * 17 + j + 1])).toBeLessThan(1e-4);
    });
    tf.dispose([tokens, map, ...layers]);
    m.dispose();
  });

  it('save → load is bit-identical (weights, config, tokenizer, outputs)', async () => {
    const m = vitGpt2Spec.create({ preset: 'tiny', overrides: SMALL, seed: 5, tokenizer });
    const bytes = await m.save();
    const back = vitGpt2Spec.load(bytes);
    expect(back.config).toEqual(m.config);
    expect(back.tokenizer.serialize()).toBe(tokenizer.serialize());
    expect(Buffer.from(await back.save()).equals(Buffer.from(bytes))).toBe(true);
    const a = tf.tidy(() => m.step(m.encode(pixels), tf.tensor1d([1, 1], 'int32')).logits.dataSync());
    const b = tf.tidy(() => back.step(back.encode(pixels), tf.tensor1d([1, 1], 'int32')).logits.dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    const blocks = [...new Set(m.params.entries().map(([n]) => (m as VitGpt2).encoderBlock(n)))];
    expect(blocks).toEqual(['embeddings', 'layer.0', 'layer.1', 'layernorm', null]);
    // parameter names and shapes are the Hugging Face state dict's
    expect(m.params.get('decoder.transformer.h.1.crossattention.q_attn.weight').shape).toEqual([16, 16]);
    expect(m.params.get('encoder.encoder.layer.0.attention.attention.query.weight').shape).toEqual([16, 16]);
    expect(m.params.get('encoder.embeddings.patch_embeddings.projection.weight').shape).toEqual([
      16, 3, 4, 4,
    ]);
    m.dispose();
    back.dispose();
  });

  it('two Adam steps lower the loss; tensor counts stay flat over training steps', () => {
    const m = vitGpt2Spec.create({ preset: 'tiny', overrides: SMALL, seed: 2, tokenizer });
    const rows = CAPTIONS.slice(0, 2).map((c) => {
      const ids = [tokenizer.bosId, ...tokenizer.encode(c), tokenizer.eosId];
      while (ids.length < 10) ids.push(tokenizer.padId);
      return ids;
    });
    const tokens = tf.tensor2d(rows, undefined, 'int32');
    const opt = tf.train.adam(3e-3);
    const vars = m.params
      .entries()
      .filter(([n]) => !m.isBuffer(n))
      .map(([, v]) => v);
    const lossAt = (training: boolean) =>
      tf.tidy(
        () => m.loss(m.features(pixels), tokens, { training, teacherForcing: 1, seed: 1 }).loss.dataSync()[0],
      );
    const l0 = lossAt(false);
    const counts: number[] = [];
    for (let s = 0; s < 4; s++) {
      const l = opt.minimize(
        () => m.loss(m.features(pixels), tokens, { training: true, teacherForcing: 1, seed: s }).loss,
        true,
        vars,
      );
      l!.dispose();
      counts.push(tf.memory().numTensors);
      if (s === 1) expect(lossAt(false)).toBeLessThan(l0);
    }
    expect(counts[3]).toBe(counts[2]);
    expect(counts[2]).toBe(counts[1]);
    opt.dispose();
    tokens.dispose();
    m.dispose();
  });

  it('scheduled sampling and dropout replay exactly with one seed and change with another', () => {
    const m = vitGpt2Spec.create({
      preset: 'tiny',
      overrides: { ...SMALL, dropout: 0.3 },
      seed: 3,
      tokenizer,
    });
    const tokens = tf.tensor2d([[1, 4, 5, 6, 2, 0]], undefined, 'int32');
    const img = tf.slice(pixels, [0, 0, 0, 0], [1, 16, 16, 3]);
    const run = (seed: number, teacherForcing: number) =>
      tf.tidy(
        () => m.loss(m.features(img), tokens, { training: true, teacherForcing, seed }).loss.dataSync()[0],
      );
    expect(run(4, 0.5)).toBe(run(4, 0.5));
    expect(run(4, 1)).not.toBe(run(5, 1));
    const evalLoss = () =>
      tf.tidy(
        () =>
          m.loss(m.features(img), tokens, { training: false, teacherForcing: 1, seed: 9 }).loss.dataSync()[0],
      );
    expect(evalLoss()).toBe(evalLoss());
    tf.dispose([tokens, img]);
    m.dispose();
  });

  it('refuses bad settings with the field named', () => {
    expect(() =>
      vitGpt2Spec.resolve({ preset: 'tiny', seed: 1, overrides: { decoder: { hidden: 130, heads: 4 } } }),
    ).toThrow(/decoder.hidden/);
    expect(() =>
      vitGpt2Spec.resolve({ preset: 'tiny', seed: 1, overrides: { encoder: { imageSize: 60 } } }),
    ).toThrow(/multiple of encoder.patchSize/);
    expect(() => vitGpt2Spec.resolve({ preset: 'tiny', seed: 1, overrides: { dropuot: 0.1 } })).toThrow(
      /dropout/,
    );
  });
});
