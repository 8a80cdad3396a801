// Serve mode with --allow-remote (or --root): every file path given to the API must lie inside a
// folder the user allowed at start (`serve --root DIR`, repeatable) or the library's uploads folder.
// Paths are compared after resolving symlinks, so a link inside a root cannot point out of it.
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Method } from '../../shared/api';
import { AppError } from '../../shared/result';

/** The real path of p, or of its nearest existing ancestor joined with the rest (for new folders). */
export function realPathOf(p: string): string {
  const abs = resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return abs;
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

/** True when `p` is `root` or inside it (both real paths). */
export const within = (root: string, p: string): boolean =>
  p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

/** Keys of a training config whose string value names a file or folder. */
const PATH_KEY = /(weights|path|dir|file|folder|checkpoint|from)$/i;

/** Every file path in the arguments of a call, with the field it came from. */
export function pathsOf(method: Method, args: unknown): { field: string; path: string }[] {
  if (typeof args !== 'object' || args === null) return [];
  const a = args as Record<string, unknown>;
  const out: { field: string; path: string }[] = [];
  const take = (field: string, v: unknown) => {
    if (typeof v === 'string') out.push({ field, path: v });
  };
  switch (method) {
    case 'import.folder':
      take('path', a.path);
      break;
    case 'import.dataset':
      take('path', a.path);
      take('images', a.images);
      break;
    case 'export.dataset':
    case 'runs.export':
      take('out', a.out);
      break;
    case 'library.health':
      take('vocabPath', a.vocabPath);
      break;
    case 'caption.generate':
    case 'caption.compare':
      if (Array.isArray(a.paths)) a.paths.forEach((p, i) => take(`paths.${i}`, p));
      break;
    case 'caption.save':
      take('path', a.path);
      break;
    case 'train.start': {
      // Any setting that names a file (encoderWeights, pretrained folders…) or looks like a path.
      const visit = (v: unknown, field: string, key: string): void => {
        if (typeof v === 'string') {
          if (PATH_KEY.test(key) || v.includes('/') || v.includes('\\')) take(field, v);
        } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${field}.${i}`, key));
        else if (typeof v === 'object' && v !== null)
          for (const [k, x] of Object.entries(v)) visit(x, `${field}.${k}`, k);
      };
      visit(a.config, 'config', 'config');
      break;
    }
    default:
      break;
  }
  return out;
}

export interface PathPolicy {
  /** The allowed folders (real paths). */
  roots: readonly string[];
  /** Throws a `unauthorized` AppError naming the first path outside every root. */
  check(method: Method, args: unknown): void;
  /** True when a file may be served or read (inside a root). */
  allows(path: string): boolean;
}

/** A policy over the given roots (resolved to real paths now; each must exist). */
export function pathPolicy(roots: readonly string[]): PathPolicy {
  const real = roots.map((r) => {
    if (r.trim() === '') throw new AppError('invalid_argument', 'An empty --root was given.');
    try {
      return realpathSync(resolve(r));
    } catch {
      throw new AppError('not_found', `--root ${r} does not exist; give a folder that does.`);
    }
  });
  const allows = (p: string) => {
    const rp = realPathOf(p);
    return real.some((r) => within(r, rp));
  };
  return {
    roots: real,
    allows,
    check(method, args) {
      for (const { field, path } of pathsOf(method, args)) {
        if (!allows(path))
          throw new AppError(
            'unauthorized',
            `${method}: ${field} ${path} is outside the folders this server may use. Start ` +
              `\`caption-studio serve\` with --root DIR for the folder (repeatable), or use a path inside ` +
              `${real.join(', ') || 'the uploads folder'}.`,
          );
      }
    },
  };
}
