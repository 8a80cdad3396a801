// Run housekeeping services: the per-image view of runs' test captions (scored image by image, worst
// first), deleting an ended run with its checkpoints folder, and exporting a run's model folder.
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ApiMethods } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { ImageMetric, RunDetail, RunTestImage } from '../../shared/types';
import type { Store } from '../db/index';
import { evaluate } from '../ml/eval/index';
import type { EventBus } from './events';

type M = 'runs.testImages' | 'runs.delete' | 'runs.export';
type Handlers = {
  [K in M]: (args: ApiMethods[K]['args']) => Promise<ApiMethods[K]['result']> | ApiMethods[K]['result'];
};

/** The folder a run's worker writes its checkpoints to: `<library folder>/runs/<id>`. */
export const runFolder = (dbPath: string, runId: number): string =>
  join(dirname(resolve(dbPath)), 'runs', String(runId));

const METRICS: readonly ImageMetric[] = ['bleu4', 'rougeL', 'ciderD'];

/** Every regular file under `dir`, relative to it, with the bytes in all. */
function filesUnder(dir: string): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files.push(relative(dir, p));
        bytes += statSync(p).size;
      }
    }
  };
  walk(dir);
  return { files: files.sort(), bytes };
}

export function runsService(store: Store, bus: EventBus, active: (runId: number) => boolean): Handlers {
  const runs = store.runs;
  const detail = (runId: number): RunDetail => {
    const r = runs.get(runId);
    if (!r) throw new AppError('not_found', `There is no run ${runId}; the Runs page lists them.`);
    return r;
  };
  const busy = (r: RunDetail) => active(r.id) || r.status === 'running' || r.status === 'queued';

  return {
    'runs.testImages': ({ runIds, metric = 'ciderD' }) => {
      const ids = [...new Set(runIds)];
      const byImage = new Map<number, RunTestImage>();
      const without: number[] = [];
      for (const runId of ids) {
        detail(runId);
        const rows = runs.testCaptions(runId).filter((r) => r.refs.length > 0);
        if (rows.length === 0) {
          without.push(runId);
          continue;
        }
        // Scored over this run's test set, as its corpus scores were (CIDEr-D's document
        // frequencies come from these references).
        const { perImage } = evaluate({
          refs: Object.fromEntries(rows.map((r) => [String(r.imageId), r.refs])),
          cands: Object.fromEntries(rows.map((r) => [String(r.imageId), r.caption])),
        });
        for (const r of rows) {
          const img = byImage.get(r.imageId) ?? {
            imageId: r.imageId,
            references: r.refs,
            runs: {},
            score: 0,
          };
          const s = perImage[String(r.imageId)];
          img.runs[String(runId)] = {
            caption: r.caption,
            scores: Object.fromEntries(METRICS.map((m) => [m, s[m]])) as Record<ImageMetric, number>,
          };
          byImage.set(r.imageId, img);
        }
      }
      const images = [...byImage.values()];
      for (const img of images) {
        const vals = Object.values(img.runs).map((x) => x.scores[metric]);
        img.score = vals.reduce((a, b) => a + b, 0) / vals.length;
      }
      images.sort((a, b) => a.score - b.score || a.imageId - b.imageId);
      return { metric, images, without };
    },

    'runs.delete': ({ runId }) => {
      const r = detail(runId);
      if (busy(r))
        throw new AppError(
          'conflict',
          `Run ${runId} is ${r.status}: cancel it first, then delete it once it has stopped.`,
        );
      const dir = runFolder(store.path, runId);
      let removedDir: string | null = null;
      if (existsSync(dir)) {
        if (lstatSync(dir).isSymbolicLink())
          throw new AppError(
            'conflict',
            `${dir} is a symbolic link, not the run's own folder; nothing was deleted. Remove the link by hand.`,
          );
        try {
          rmSync(dir, { recursive: true, force: true });
        } catch (e) {
          throw new AppError(
            'io',
            `Could not delete run ${runId}'s folder ${dir} (${(e as Error).message}); the run is kept. ` +
              'Close whatever uses the folder and try again.',
          );
        }
        removedDir = dir;
      }
      const deleted = runs.remove(runId);
      bus.emit('run.changed', { runId, status: 'deleted' });
      return { deleted, removedDir };
    },

    'runs.export': ({ runId, out }) => {
      const r = detail(runId);
      if (busy(r))
        throw new AppError(
          'conflict',
          `Run ${runId} is ${r.status}: its checkpoint is still being written. Export it once it has ended.`,
        );
      const dir = runFolder(store.path, runId);
      const model = existsSync(dir) ? filesUnder(dir).files.filter((f) => f.endsWith('.safetensors')) : [];
      if (model.length === 0)
        throw new AppError(
          'not_found',
          `Run ${runId} has no checkpoint to export (${dir} holds none: the run saved none before it stopped).`,
        );
      const target = resolve(out);
      if (existsSync(target)) {
        if (!statSync(target).isDirectory())
          throw new AppError('conflict', `${target} is a file, not a folder; choose a new or empty folder.`);
        if (readdirSync(target).length > 0)
          throw new AppError(
            'conflict',
            `${target} is not empty; choose a new or empty folder (nothing was overwritten).`,
          );
      }
      const rel = relative(dir, target);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
        throw new AppError('invalid_argument', `Export the run to a folder outside its own folder ${dir}.`);
      try {
        mkdirSync(target, { recursive: true });
        cpSync(dir, target, { recursive: true, errorOnExist: true, force: false });
        const { id, model: m, preset, config, test, data, seed } = r;
        writeFileSync(
          join(target, 'run.json'),
          JSON.stringify({ id, model: m, preset, seed, config, data, test }, null, 2) + '\n',
          { flag: 'wx' },
        );
      } catch (e) {
        throw new AppError('io', `Could not export run ${runId} to ${target}: ${(e as Error).message}`);
      }
      return { out: target, ...filesUnder(target) };
    },
  };
}
