// Training data from the library: images with a split and approved captions (optionally of one
// collection), keyed by content hash, pixels decoded and preprocessed on demand (and kept in memory
// for the tiny 64 px presets, where a whole dataset fits).
import type { Store } from '../../db/index';
import { decodeFile } from '../../images/decode';
import { PRESETS, preprocess, type NormalizePreset } from '../../images/preprocess';
import type { Example, TrainData } from '../train/data';

/** The preprocessing of a model input size: 64 → tiny, 299 → inception, 224 → vit. */
export function presetForSize(size: number): { name: string; preset: NormalizePreset } {
  const found = Object.entries(PRESETS).find(([, p]) => p.size === size);
  if (found) return { name: `${found[0]}-${size}`, preset: found[1] };
  return { name: `tiny-kernel-${size}`, preset: { ...PRESETS.tiny, size } };
}

export interface LibraryData extends TrainData {
  /** Image id per key (content hash). */
  imageIds: Map<string, number>;
  snapshot: { train: number; val: number; test: number; captions: number; collectionId: number | null };
}

export function libraryData(store: Store, opts: { collectionId?: number | null; size: number }): LibraryData {
  const rows = store.captions.approvedOfSplits(opts.collectionId ?? null);
  type Row = (typeof rows)[number];
  const byKey = new Map<string, { split: Row['split']; path: string; id: number; captions: string[] }>();
  for (const r of rows) {
    const e = byKey.get(r.hash) ?? { split: r.split, path: r.path, id: r.id, captions: [] };
    e.captions.push(r.text);
    byKey.set(r.hash, e);
  }
  const split = (s: Row['split']): Example[] =>
    [...byKey].filter(([, e]) => e.split === s).map(([key, e]) => ({ key, captions: e.captions }));
  const { name, preset } = presetForSize(opts.size);
  const memo = new Map<string, Float32Array>();
  const keep = opts.size <= 128; // 64 px: 48 KiB per image; bigger inputs are decoded each time
  const data: LibraryData = {
    train: split('train'),
    val: split('val'),
    test: split('test'),
    preprocessing: name,
    imageIds: new Map([...byKey].map(([k, e]) => [k, e.id])),
    snapshot: { train: 0, val: 0, test: 0, captions: rows.length, collectionId: opts.collectionId ?? null },
    async loadImages(keys, size) {
      if (size !== preset.size) throw new Error(`Images were prepared at ${preset.size} px, not ${size}.`);
      const per = size * size * 3;
      const out = new Float32Array(keys.length * per);
      for (let i = 0; i < keys.length; i++) {
        let px = memo.get(keys[i]);
        if (!px) {
          px = preprocess(await decodeFile(byKey.get(keys[i])!.path), preset);
          if (keep) memo.set(keys[i], px);
        }
        out.set(px, i * per);
      }
      return out;
    },
  };
  data.snapshot.train = data.train.length;
  data.snapshot.val = data.val.length;
  data.snapshot.test = data.test.length;
  return data;
}
