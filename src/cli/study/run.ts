// The study on the shapes set, through the app's own services: make (or reuse) the seeded shapes
// library, train every model at its tiny preset in a worker with the same trainer settings, caption
// the test split with maps, and score the captions (coco metrics from the run, the shapes scorer's
// accuracies, and where each word's map peaks). The demo and its test share it.
import { shapesItem } from '../../main/datasets/shapes/generate';
import type { Scene } from '../../main/datasets/shapes/scene';
import { accuracy, parseCaption, scoreCaption, sumScores } from '../../main/datasets/shapes/scorer';
import { resolveTrainConfig, type TrainPartial } from '../../main/ml/train/config';
import type { Core } from '../../main/services/index';
import type { GeneratedCaption, ImageWithCaptions, RunDetail } from '../../shared/types';
import type { MapTally, StudyRow } from './report';

/** Trainer settings of the study runs: the same for every model, so they differ only by the model. */
export const studyConfig = (seed: number, epochs: number) => ({
  seed,
  epochs,
  // batch 16 instead of the bench's 32: twice the updates for the same compute on a short budget
  batchSize: 16,
  captionsPerEpoch: 'one',
  lr: 2e-3,
  warmupSteps: 20,
  decay: 'cosine',
  clipNorm: 5,
});

export interface StudyOptions {
  count: number;
  dataSeed: number;
  seeds: number[];
  epochs: number;
  models: string[];
  /** Train every run again even when the library holds a completed run with the same settings. */
  fresh?: boolean;
}

export interface StudyRun {
  row: StudyRow;
  run: RunDetail;
  /** Greedy caption of every test image, with its maps, in the order of `StudyData.test`. */
  captions: GeneratedCaption[];
}

export interface StudyData {
  test: ImageWithCaptions[];
  scenes: Map<number, Scene>;
}

export interface StudyHooks {
  log(line: string): void;
  /** Called when a model starts training and on each of its progress events. */
  progress?(label: string, done: number, total: number): void;
  done?(): void;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
async function call<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/**
 * How many distinct images the first `count` scenes of a seed give: two identical scenes render to
 * the same PNG, which the import keeps once (the 1,000-scene demo set holds 998 images).
 */
export function distinctScenes(count: number, seed: number): number {
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) seen.add(JSON.stringify(shapesItem(seed, i).scene));
  return seen.size;
}

/**
 * The shapes set of `count` scenes drawn with `seed` in this library: made when the library is empty,
 * reused when it holds exactly that set, refused when it holds anything else (the demo never mixes
 * synthetic scenes into a library of photos).
 */
export async function ensureShapes(
  core: Core,
  count: number,
  seed: number,
  hooks: StudyHooks,
): Promise<void> {
  const total = (await call(core.dispatch('library.list', { limit: 1 }))).total;
  const scenes = core.store.scenes.count();
  if (total === 0) {
    hooks.log(`Making the shapes set: ${count} scenes, seed ${seed}`);
    await call(core.dispatch('datasets.shapes', { count, seed }));
    hooks.done?.();
    return;
  }
  const distinct = distinctScenes(count, seed);
  if (scenes === total && total === distinct) {
    const same = count - distinct;
    hooks.log(
      `Reusing the shapes set in this library (${distinct} scenes${same ? `: ${count} drawn, ${same} identical` : ''})`,
    );
    return;
  }
  throw new Error(
    `This library already holds ${total} images (${scenes} of them shapes scenes), not the ${count}-scene demo set. ` +
      'Give the demo a library of its own with --db FILE (or leave --db out to use the demo library).',
  );
}

/** Every test image (paged through the API) and its scene. */
export async function loadTestSet(core: Core): Promise<StudyData> {
  const test: ImageWithCaptions[] = [];
  for (let offset = 0; ;) {
    const page = await call(core.dispatch('library.list', { split: 'test', offset, limit: 500 }));
    test.push(...page.items);
    offset += page.items.length;
    if (!page.items.length || offset >= page.total) break;
  }
  const scenes = new Map<number, Scene>();
  for (const img of test) {
    const s = core.store.scenes.get(img.id);
    if (s) scenes.set(img.id, s);
  }
  if (!test.length)
    throw new Error('The library has no test split: the shapes set assigns one when it is made.');
  return { test, scenes };
}

/**
 * For every generated word that names a shape: does its map peak (the arg-max cell) on the named
 * object's box? Counts hits, words, and the hit rate of a uniformly random cell (chance) over the
 * same words. Any map kind: attention weights or gradient saliency.
 */
export function mapOnShapes(cap: GeneratedCaption, scene: Scene): MapTally {
  const out = { hits: 0, total: 0, chance: 0 };
  if (!cap.maps) return out;
  const { height: gh, width: gw, data } = cap.maps;
  const cw = scene.width / gw;
  const ch = scene.height / gh;
  const onBox = (cell: number, b: Scene['objects'][number]['bbox']) => {
    const [x0, y0] = [(cell % gw) * cw, Math.floor(cell / gw) * ch];
    return x0 < b[2] && x0 + cw > b[0] && y0 < b[3] && y0 + ch > b[1];
  };
  // parseCaption's word indices are the caption's token indices (word tokens; <eos> is last)
  for (const m of parseCaption(cap.tokens.filter((t) => t !== '<eos>').join(' ')).mentions) {
    const cands = scene.objects.filter((o) => o.shape === m.shape);
    const map = data[m.end];
    if (!cands.length || !map) continue;
    const score = (o: Scene['objects'][number]) =>
      (o.colour === m.colour ? 2 : 0) + (o.size === m.size ? 1 : 0);
    const obj = cands.reduce((a, b) => (score(b) > score(a) ? b : a));
    let peak = 0;
    for (let i = 1; i < map.length; i++) if (map[i] > map[peak]) peak = i;
    out.total++;
    if (onBox(peak, obj.bbox)) out.hits++;
    out.chance += map.filter((_, cell) => onBox(cell, obj.bbox)).length / map.length;
  }
  return out;
}

/** Training seconds, images/s and first/last epoch train loss, from the run's stored history. */
export function trainingStats(
  run: RunDetail,
): Pick<StudyRow, 'trainSeconds' | 'imagesPerSec' | 'firstLoss' | 'lastLoss'> {
  const epochs = run.metrics
    .filter((m) => m.split === 'train' && m.epoch !== null && (m.name === 'seconds' || m.name === 'loss'))
    .sort((a, b) => a.epoch! - b.epoch!);
  const seconds = epochs.filter((m) => m.name === 'seconds').reduce((s, m) => s + m.value, 0);
  const losses = epochs.filter((m) => m.name === 'loss').map((m) => m.value);
  const perEpoch = Number(run.dataSnapshot?.train ?? 0);
  const n = epochs.filter((m) => m.name === 'seconds').length;
  return {
    trainSeconds: seconds,
    imagesPerSec: seconds > 0 ? (perEpoch * n) / seconds : 0,
    firstLoss: losses.length ? losses[0] : null,
    lastLoss: losses.length ? losses[losses.length - 1] : null,
  };
}

/** JSON with sorted keys, to compare two configs field by field. */
const canonical = (v: unknown): string =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(',')}}`
    : JSON.stringify(v);

/**
 * The latest completed run of this library trained with exactly the study's settings for this model
 * and seed (the whole resolved trainer config compared, and the same test images), or null. The demo
 * reuses it instead of training again, so adding a seed trains only that seed.
 */
export async function findStudyRun(
  core: Core,
  model: string,
  seed: number,
  epochs: number,
): Promise<RunDetail | null> {
  const want = canonical(
    resolveTrainConfig({ ...studyConfig(seed, epochs), model, preset: 'tiny' } as TrainPartial),
  );
  const runs = await call(core.dispatch('runs.list', {}));
  const testSets = new Set(runs.map((r) => r.data?.testSet));
  for (const r of [...runs].sort((a, b) => b.id - a.id)) {
    if (r.model !== model || r.status !== 'completed' || r.seed !== seed || !('loss' in r.test)) continue;
    const detail = await call(core.dispatch('runs.get', { runId: r.id }));
    // one test set in the library: the runs were all tested on the same images
    if (canonical(detail.config) === want && testSets.size === 1) return detail;
  }
  return null;
}

/** Trains (or reuses, see findStudyRun) and scores one model with one seed. */
export async function studyOne(
  core: Core,
  data: StudyData,
  model: string,
  seed: number,
  epochs: number,
  hooks: StudyHooks,
  fresh = false,
): Promise<StudyRun> {
  const label = `${model} (seed ${seed})`;
  let run = fresh ? null : await findStudyRun(core, model, seed, epochs);
  if (run) hooks.log(`  ${label}: reusing run ${run.id}, trained with these settings (--fresh trains again)`);
  else {
    hooks.log(`Training ${model} (tiny, seed ${seed}, ${epochs} epoch(s)) in a worker process`);
    const off = core.bus.on('job.progress', (p) => {
      if (p.kind === 'train') hooks.progress?.(label, p.done, p.total);
    });
    run = await call(
      core.dispatch('train.start', { model, preset: 'tiny', config: studyConfig(seed, epochs), wait: true }),
    ).finally(off);
    hooks.done?.();
    if (run.status !== 'completed')
      throw new Error(`Run ${run.id} (${label}) ended ${run.status}: ${run.error ?? 'no error given'}`);
  }
  hooks.log(`  ${label}: run ${run.id}, captioning ${data.test.length} test images with maps`);
  const captions = await call(
    core.dispatch('caption.generate', {
      runId: run.id,
      imageIds: data.test.map((t) => t.id),
      beam: 1,
      maps: true,
    }),
  );
  const scored = captions.flatMap((c, i) => {
    const scene = data.scenes.get(data.test[i].id);
    return scene ? [scoreCaption(c.caption, scene)] : [];
  });
  const sum = sumScores(scored);
  const map = { hits: 0, total: 0, chance: 0 };
  captions.forEach((c, i) => {
    const scene = data.scenes.get(data.test[i].id);
    if (!scene) return;
    const a = mapOnShapes(c, scene);
    map.hits += a.hits;
    map.total += a.total;
    map.chance += a.chance;
  });
  return {
    run,
    captions,
    row: {
      model,
      seed,
      runId: run.id,
      test: run.test,
      acc: {
        shape: accuracy(sum.shape),
        colour: accuracy(sum.colour),
        size: accuracy(sum.size),
        relation: accuracy(sum.relation),
      },
      map,
      mapKind: captions.find((c) => c.maps)?.maps?.kind ?? null,
      ...trainingStats(run),
    },
  };
}

/** The whole study: every model × every seed, one after the other (one training job at a time). */
export async function runStudy(
  core: Core,
  o: StudyOptions,
  hooks: StudyHooks,
): Promise<{ data: StudyData; runs: StudyRun[] }> {
  await ensureShapes(core, o.count, o.dataSeed, hooks);
  const data = await loadTestSet(core);
  const runs: StudyRun[] = [];
  for (const model of o.models)
    for (const seed of o.seeds) runs.push(await studyOne(core, data, model, seed, o.epochs, hooks, o.fresh));
  return { data, runs };
}
