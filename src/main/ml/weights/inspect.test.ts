// `inspect` on tiny checkpoints this test writes: shapes of every output, pixel_values as the
// preprocessing gives them, attention rows that are distributions (causal for self-attention),
// identical outputs from every Hugging Face layout, no tensor left behind, and the CLI end to end.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRgb, encodePng, type RgbImage } from '../../images/decode';
import { vitPixelValues } from '../../images/vitProcessor';
import { nodeLoader, selectBackend } from '../backend';
import { readHfVitGpt2 } from './hfVitGpt2';
import { inspectVitGpt2, nest, parseDecoderIds } from './inspect';
import { writeTinyJoined, writeTinyVed } from './tinyHfCheckpoint';

const root = mkdtempSync(join(tmpdir(), 'inspect-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend(nodeLoader(), 'inference');
});

function photo(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i % 7) * 11) % 256;
  return { data, width: w, height: h, channels: 3 };
}

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);

describe('inspect', () => {
  const ids = [259, 97, 258];

  it('writes every output with its shape; attention rows are distributions, self-attention causal', () => {
    const dir = join(root, 'ved');
    writeTinyVed(dir, 'ved');
    const m = readHfVitGpt2({ dir });
    const before = tf.memory().numTensors;
    const out = inspectVitGpt2(m, photo(45, 37), ids);
    expect(tf.memory().numTensors).toBe(before);
    expect(out.pixel_values.shape).toEqual([1, 3, 32, 32]);
    expect(flat(out.pixel_values.data)).toEqual([...vitPixelValues(photo(45, 37), m.preprocessor)]);
    expect(out.encoder_last_hidden_state.shape).toEqual([1, 17, 32]);
    expect(out.logits.shape).toEqual([1, 3, 260]);
    expect(out.decoder_attentions.map((a) => a.shape)).toEqual([
      [1, 2, 3, 3],
      [1, 2, 3, 3],
    ]);
    expect(out.cross_attentions.map((a) => a.shape)).toEqual([
      [1, 2, 3, 17],
      [1, 2, 3, 17],
    ]);
    for (const a of [...out.decoder_attentions, ...out.cross_attentions]) {
      const rows = (a.data as number[][][][])[0].flat();
      for (const r of rows) expect(r.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
    }
    const self = (out.decoder_attentions[1].data as number[][][][])[0][0];
    expect(self[0][1]).toBe(0);
    expect(self[0][2]).toBe(0);
    expect(self[1][2]).toBe(0);
    expect(out.encoder_attentions).toBeUndefined();
    expect(
      inspectVitGpt2(m, photo(8, 8), ids, { encoderAttentions: true }).encoder_attentions![0].shape,
    ).toEqual([1, 2, 17, 17]);
  });

  it('gives identical outputs from every layout of the same weights', () => {
    const outputs = (['ved', 'ved-sharded', 'ved-bf16', 'ved-legacy'] as const).map((layout) => {
      const dir = join(root, `l-${layout}`);
      writeTinyVed(dir, layout);
      return inspectVitGpt2(readHfVitGpt2({ dir }), photo(40, 30), ids);
    });
    const e = join(root, 'enc');
    const d = join(root, 'dec');
    writeTinyJoined(e, d, { encoder: 'vit-prefixed', decoder: 'bare', cross: true });
    outputs.push(inspectVitGpt2(readHfVitGpt2({ encoderDir: e, decoderDir: d }), photo(40, 30), ids));
    for (const o of outputs.slice(1)) {
      expect(o.logits).toEqual(outputs[0].logits);
      expect(o.cross_attentions).toEqual(outputs[0].cross_attentions);
      expect(o.encoder_last_hidden_state).toEqual(outputs[0].encoder_last_hidden_state);
    }
  });

  it('parses decoder ids and nests values', () => {
    expect(parseDecoderIds('50256, 64,3797', 50257, 1024)).toEqual([50256, 64, 3797]);
    expect(() => parseDecoderIds('1,x', 10, 10)).toThrow(/comma-separated/);
    expect(() => parseDecoderIds('10', 10, 10)).toThrow(/not below the decoder's vocabulary size 10/);
    expect(() => parseDecoderIds('1,2,3', 10, 2)).toThrow(/2 positions/);
    expect(nest([1, 2, 3, 4, 5, 6], [2, 3])).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('runs as `caption-studio inspect` and writes the JSON', async () => {
    const dir = join(root, 'cli');
    writeTinyVed(dir, 'ved');
    const img = join(root, 'photo.png');
    writeFileSync(img, await encodePng(photo(45, 37)));
    const outFile = join(root, 'out.json');
    const { code, out } = await new Promise<{ code: number | null; out: string }>((done) => {
      const p = spawn('node', [
        'bin/caption-studio.js',
        'inspect',
        dir,
        '--image',
        img,
        '--decoder-ids',
        ids.join(','),
        '--out',
        outFile,
      ]);
      let out = '';
      p.stdout.on('data', (x) => (out += x));
      p.stderr.on('data', (x) => (out += x));
      p.on('close', (c) => done({ code: c, out }));
    });
    expect(code, out).toBe(0);
    expect(out).toMatch(/logits \[1, 3, 260\]/);
    const j = JSON.parse(readFileSync(outFile, 'utf8'));
    const direct = inspectVitGpt2(readHfVitGpt2({ dir }), await decodeRgb(readFileSync(img)), ids);
    expect(j.decoder_input_ids).toEqual([ids]);
    expect(j.pixel_values).toEqual(direct.pixel_values);
    const a = flat(j.logits.data);
    const b = flat(direct.logits.data);
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
  });
});
