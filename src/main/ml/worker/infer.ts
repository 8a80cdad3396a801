// Captioning inside the worker: load a run's checkpoint, caption files or library images with it.
// `InferenceEngine` keeps the last three runs' models loaded between requests (the long-lived
// inference worker), and loads again only for another run or a newer checkpoint file of a run.
import { statSync } from 'node:fs';
import { AppError, toErrorData } from '../../../shared/result';
import type { CaptionArgs, GeneratedCaption } from '../../../shared/types';
import { openStore, type Store } from '../../db/index';
import { decodeFile } from '../../images/decode';
import { preprocess } from '../../images/preprocess';
import { READ_CAPS, readBoundedSync } from '../../files/bounded';
import { nodeLoader, selectBackend } from '../backend';
import { beamDecode, greedyDecode } from '../decode/search';
import type { CaptionModel } from '../models/contract';
import { loadModel } from '../models/registry';
import { presetForSize } from './dataset';
import type { ParentChannel } from './channel';
import type { FromWorker, ToWorker } from './protocol';

export interface Loaded {
  model: CaptionModel;
  /** Checkpoint path and modification time: a newer file of the same run is loaded again. */
  key: string;
}

/** The checkpoint a run captions with (best, else last) and the key that identifies its version. */
export function checkpointOf(store: Store, runId: number): { path: string; key: string } {
  const run = store.runs.get(runId);
  if (!run) throw new AppError('not_found', `There is no run ${runId}.`);
  const ck = run.checkpoints.find((c) => c.kind === 'best') ?? run.checkpoints.find((c) => c.kind === 'last');
  if (!ck) throw new AppError('not_found', `Run ${runId} has no checkpoint yet; train it first.`);
  let mtime: number;
  try {
    mtime = statSync(ck.path).mtimeMs;
  } catch {
    throw new AppError('not_found', `The checkpoint of run ${runId} is missing (${ck.path}).`);
  }
  return { path: ck.path, key: `${ck.path}@${mtime}` };
}

export async function loadCheckpoint(store: Store, runId: number): Promise<Loaded> {
  const ck = checkpointOf(store, runId);
  await selectBackend(nodeLoader(), 'inference');
  const model = loadModel(readBoundedSync(ck.path, READ_CAPS.weights, 'checkpoint'));
  return { model, key: ck.key };
}

/** Captions every image of `args` with a loaded model; every tensor is disposed. */
export async function captionWith(
  { model }: Loaded,
  store: Store,
  args: CaptionArgs,
): Promise<GeneratedCaption[]> {
  const tf = await import('@tensorflow/tfjs');
  const tok = model.tokenizer;
  const sources: Array<{ source: string; path: string }> = [
    ...(args.paths ?? []).map((p) => ({ source: p, path: p })),
    ...(args.imageIds ?? []).map((id) => {
      const img = store.images.get(id);
      if (!img) throw new AppError('not_found', `There is no library image ${id}.`);
      return { source: `image:${id}`, path: img.path };
    }),
  ];
  const { preset } = presetForSize(model.imageSize);
  const out: GeneratedCaption[] = [];
  for (const s of sources) {
    const px = preprocess(await decodeFile(s.path), preset);
    const x = tf.tensor4d(px, [1, model.imageSize, model.imageSize, 3]); // [1, S, S, 3]
    const beam = args.beam ?? 3;
    const opts = { maxTokens: model.config.maxLength - 1, maps: args.maps ?? false };
    let r;
    try {
      r =
        beam > 1 ? await beamDecode(model, x, { ...opts, width: beam }) : await greedyDecode(model, x, opts);
    } finally {
      x.dispose();
    }
    const ids = r.tokens[0];
    const g: GeneratedCaption = {
      source: s.source,
      caption: tok.decode(ids),
      tokens: ids.map((id) => tok.tokenText(id)),
      probs: r.probs[0],
    };
    if (r.maps)
      g.maps = {
        kind: r.maps.kind,
        height: r.maps.height,
        width: r.maps.width,
        data: r.maps.maps[0].map((m) => [...m]),
      };
    out.push(g);
  }
  return out;
}

/** Models kept loaded at once: the Caption page compares up to three runs side by side. */
export const MAX_LOADED = 3;

/**
 * The last few runs' models kept loaded between requests (least recently used dropped beyond
 * `MAX_LOADED`), so that captioning with three runs in turn loads each once; a store kept open
 * per library file.
 */
export class InferenceEngine {
  /** Loaded models by run id, least recently used first. */
  private readonly loaded = new Map<number, Loaded>();
  private store: Store | null = null;
  /** How many times a checkpoint was read and built in this process. */
  loads = 0;

  constructor(private readonly maxLoaded = MAX_LOADED) {}

  private storeFor(dbPath: string): Store {
    if (this.store?.path !== dbPath) {
      this.unload();
      this.store?.close();
      this.store = openStore(dbPath);
    }
    return this.store;
  }

  async caption(
    dbPath: string,
    args: CaptionArgs,
  ): Promise<{ captions: GeneratedCaption[]; loaded: boolean }> {
    const store = this.storeFor(dbPath);
    const { key } = checkpointOf(store, args.runId);
    let entry = this.loaded.get(args.runId);
    this.loaded.delete(args.runId);
    let loaded = false;
    if (entry?.key !== key) {
      entry?.model.dispose();
      entry = await loadCheckpoint(store, args.runId);
      this.loads++;
      loaded = true;
    }
    this.loaded.set(args.runId, entry); // now the most recently used
    for (const [runId, old] of this.loaded) {
      if (this.loaded.size <= this.maxLoaded) break;
      old.model.dispose();
      this.loaded.delete(runId);
    }
    return { captions: await captionWith(entry, store, args), loaded };
  }

  unload(): void {
    for (const l of this.loaded.values()) l.model.dispose();
    this.loaded.clear();
  }

  close(): void {
    this.unload();
    this.store?.close();
    this.store = null;
  }
}

type Answer = Extract<FromWorker, { type: 'captions' } | { type: 'failed' }>;
type Unseq<T> = T extends unknown ? Omit<T, 'seq'> : never;
type Send = (m: Unseq<Answer>) => Promise<void>;

let engine: InferenceEngine | null = null;
let chain: Promise<unknown> = Promise.resolve();

/** The worker's answer to inference messages: requests run one after another on one engine. */
export function handleInference(
  m: Extract<ToWorker, { type: 'caption' | 'stop' }>,
  send: Send,
  channel: Pick<ParentChannel, 'onParentGone'>,
): void {
  if (!engine) {
    engine = new InferenceEngine();
    // Nothing to save here: an inference worker whose parent is gone just ends.
    channel.onParentGone(() => process.exit(0));
  }
  const e = engine;
  if (m.type === 'stop') {
    void chain.finally(() => {
      e.close();
      process.exit(0);
    });
    return;
  }
  chain = chain.then(async () => {
    try {
      const r = await e.caption(m.dbPath, m.args);
      await send({ type: 'captions', id: m.id, captions: r.captions, loaded: r.loaded, loads: e.loads });
    } catch (err) {
      await send({ type: 'failed', id: m.id, error: toErrorData(err) });
    }
  });
}
