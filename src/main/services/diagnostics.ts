// The Settings view's facts and the diagnostics export: versions, platform, the compute backend,
// the library's folders, counts and the inference worker's state. Nothing a user wrote or chose
// (no caption text, no image paths) goes in it.
import { dirname, join, resolve } from 'node:path';
import type { BackendInfo, Diagnostics, VersionInfo } from '../../shared/types';
import type { Store } from '../db/index';
import type { InferenceHost } from '../ml/worker/inference';
import { uploadsDirFor } from './uploads';

export function diagnostics(
  store: Store,
  parts: { version: VersionInfo; backend: BackendInfo; inference: InferenceHost },
): Diagnostics {
  const home = dirname(resolve(store.path));
  const runs: Record<string, number> = {};
  for (const r of store.runs.list()) runs[r.status] = (runs[r.status] ?? 0) + 1;
  return {
    version: parts.version,
    platform: process.platform,
    arch: process.arch,
    backend: parts.backend,
    folders: {
      library: resolve(store.path),
      runs: join(home, 'runs'),
      cache: join(home, 'cache'),
      uploads: uploadsDirFor(store.path),
    },
    counts: { images: store.images.count(), captions: store.captions.count(), runs },
    inference: { pid: parts.inference.pid, ...parts.inference.stats },
  };
}
