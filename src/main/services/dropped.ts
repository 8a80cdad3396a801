// The report of an import of dropped files (an upload batch folder), in the user's terms: paths as
// they were dropped (not the internal upload folder), every dropped file that was not imported
// named with why (a PDF, a caption file without its photo), and those files removed from uploads/
// (only the imported photos stay there: the library points at them).
import { readdirSync, rmSync, rmdirSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { ImportReport, ImportWarning } from '../../shared/types';
import { isSidecarName, sidecarCandidates } from '../datasets/sidecar';
import { IMAGE_EXTENSIONS, UNSUPPORTED_EXTENSIONS } from '../datasets/walk';

/** Regular files under a folder of ours, recursively (no links followed). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Removes the folders left empty under `dir` (not `dir` itself). */
function pruneEmpty(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) {
      const p = join(dir, e.name);
      pruneEmpty(p);
      if (readdirSync(p).length === 0) rmdirSync(p);
    }
}

export function tidyDropReport(batchDir: string, report: ImportReport): ImportReport {
  const files = filesUnder(batchDir);
  const all = new Set(files);
  const images = files.filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()));
  const sidecarsOfImages = new Set(images.flatMap((f) => sidecarCandidates(f)));
  const notImported: ImportWarning[] = [];
  for (const f of files) {
    const ext = extname(f).toLowerCase();
    if (IMAGE_EXTENSIONS.has(ext) || UNSUPPORTED_EXTENSIONS.has(ext)) continue;
    if (isSidecarName(f)) {
      if (!sidecarsOfImages.has(f))
        notImported.push({
          path: f,
          message:
            'A caption file without a photo of the same name (photo.jpg + photo.txt): its captions were not imported.',
        });
    } else
      notImported.push({
        path: f,
        message: `Not a photo or a caption file (${ext || 'no extension'}): not imported.`,
      });
  }
  const gone = [...report.failed.map((f) => f.path), ...notImported.map((w) => w.path)];
  for (const p of gone) if (all.has(p)) rmSync(p, { force: true });
  pruneEmpty(batchDir);
  const named = (p: string) =>
    p.startsWith(batchDir + sep) ? relative(batchDir, p).split(sep).join('/') : p;
  return {
    ...report,
    root: '(dropped files)',
    failed: report.failed.map((f) => ({ ...f, path: named(f.path) })),
    warnings: [...report.warnings, ...notImported].map((w) => ({ ...w, path: named(w.path) })),
  };
}
