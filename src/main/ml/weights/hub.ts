// Downloads the files of a Hugging Face model repository that a ViT-GPT2 captioner needs, as
// huggingface_hub's file_download.py does: HEAD `{endpoint}/{repo}/resolve/{revision}/{file}`
// (relative redirects followed, the hub's X-Repo-Commit / X-Linked-Etag / X-Linked-Size headers
// preferred over ETag / Content-Length), then GET the file (or the CDN address it redirects to),
// resuming a `.incomplete` file with a Range request, and checking size and hash before the file
// takes its place (sha256 for LFS files, the git blob sha1 for small ones).
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../../shared/result';
import { MAX_JSON_BYTES, readCapped } from './hfFiles';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** What a VisionEncoderDecoder captioner needs (shards are added from the index). */
export const CAPTIONER_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'model.safetensors',
  'model.safetensors.index.json',
  'vocab.json',
  'merges.txt',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
];
const REQUIRED = ['config.json'];

export interface PullOptions {
  repo: string;
  revision?: string;
  /** The weights folder; files go to `{dir}/{owner}/{name}`. */
  weightsDir: string;
  /** Default: $HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** One file's cap in bytes (default 8 GiB). */
  maxFileBytes?: number;
  onProgress?: (p: { file: string; done: number; total: number; fileIndex: number; files: number }) => void;
  /** Test seam for the network (defaults to the global fetch). */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

export interface PulledFile {
  file: string;
  size: number;
  etag: string;
  /** Bytes already on disk from an earlier, interrupted pull. */
  resumedFrom: number;
  /** 'sha256' (LFS), 'git-sha1' (small files) or 'size' when the etag is neither. */
  checked: 'sha256' | 'git-sha1' | 'size';
  skipped: boolean;
}

export interface PullResult {
  dir: string;
  commit: string | null;
  files: PulledFile[];
}

interface FileMeta {
  commit: string | null;
  etag: string;
  size: number;
  location: string;
}

const REPO_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
const SAFE_FILE = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export function checkRepoId(repo: string): void {
  if (!REPO_RE.test(repo) || repo.includes('..'))
    throw new AppError(
      'invalid_argument',
      `"${repo}" is not a repository id; give it as owner/name, e.g. nlpconnect/vit-gpt2-image-captioning.`,
    );
}

const normaliseEtag = (e: string) => e.replace(/^W\//, '').replace(/^"|"$/g, '');

const resolveUrl = (endpoint: string, repo: string, revision: string, file: string) =>
  `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${file
    .split('/')
    .map(encodeURIComponent)
    .join('/')}`;

/**
 * The repository's file list from `GET {endpoint}/api/models/{repo}/revision/{revision}` (its
 * `siblings[].rfilename` and `sha`), or null when the endpoint has no such API (a plain mirror):
 * then the fixed list is tried file by file.
 */
async function listRepo(
  f: typeof fetch,
  endpoint: string,
  repo: string,
  revision: string,
  signal?: AbortSignal,
): Promise<{ files: Set<string>; sha: string | null } | null> {
  const url = `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
  const r = await f(url, { signal, headers: { Accept: 'application/json' } });
  if (r.status === 401 || r.status === 403)
    throw new AppError('unauthorized', `${repo} needs an access token (gated or private repository).`);
  if (r.status === 404 && /RevisionNotFound/i.test(r.headers.get('x-error-code') ?? ''))
    throw new AppError('not_found', `${repo} has no revision ${revision}.`);
  if (r.status !== 200) return null;
  const text = await r.text();
  if (text.length > 16 * 2 ** 20) return null;
  let j: { sha?: unknown; siblings?: Array<{ rfilename?: unknown }> };
  try {
    j = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(j.siblings)) return null;
  const files = new Set(j.siblings.map((x) => x.rfilename).filter((x): x is string => typeof x === 'string'));
  return { files, sha: typeof j.sha === 'string' && /^[0-9a-f]{40}$/.test(j.sha) ? j.sha : null };
}

/** HEAD with relative redirects followed (a renamed repository), absolute ones (the CDN) not. */
async function headMeta(f: typeof fetch, url: string, signal?: AbortSignal): Promise<FileMeta | null> {
  let current = url;
  for (let hop = 0; hop < 10; hop++) {
    const r = await f(current, {
      method: 'HEAD',
      redirect: 'manual',
      headers: { 'Accept-Encoding': 'identity' },
      signal,
    });
    const loc = r.headers.get('location');
    if (r.status >= 300 && r.status < 400 && loc && !/^[a-z]+:\/\//i.test(loc)) {
      current = new URL(loc, current).toString();
      continue;
    }
    if (r.status === 404) return null;
    if (r.status === 401 || r.status === 403)
      throw new AppError(
        'unauthorized',
        `${url} needs an access token (gated or private repository); download it with the hub's tools instead.`,
      );
    if (r.status >= 400) throw new AppError('io', `HEAD ${url} answered ${r.status}.`);
    const etag = r.headers.get('x-linked-etag') ?? r.headers.get('etag');
    if (!etag) throw new AppError('io', `${url} sent no ETag; the download cannot be checked.`);
    const size = Number(r.headers.get('x-linked-size') ?? r.headers.get('content-length'));
    if (!Number.isSafeInteger(size) || size < 0) throw new AppError('io', `${url} sent no file size.`);
    return {
      commit: r.headers.get('x-repo-commit'),
      etag: normaliseEtag(etag),
      size,
      location: r.status >= 300 && r.status < 400 && loc ? loc : current,
    };
  }
  throw new AppError('io', `${url} redirects more than 10 times.`);
}

async function hashFile(path: string, algo: 'sha256' | 'sha1', prefix?: string): Promise<string> {
  const h = createHash(algo);
  if (prefix) h.update(prefix);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** GETs `meta.location` into `part`, appending from its current length with a Range request. */
async function download(
  f: typeof fetch,
  meta: FileMeta,
  part: string,
  onBytes: (done: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  const have = existsSync(part) ? statSync(part).size : 0;
  const start = have > 0 && have < meta.size ? have : 0;
  if (have >= meta.size && have > 0) rmSync(part); // an over-long leftover: start again
  const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
  if (start > 0) headers.Range = `bytes=${start}-`;
  const r = await f(meta.location, { headers, redirect: 'follow', signal });
  if (r.status !== 200 && r.status !== 206)
    throw new AppError('io', `GET ${meta.location} answered ${r.status}.`);
  let from = 0;
  if (r.status === 206) {
    const m = /^bytes (\d+)-/.exec(r.headers.get('content-range') ?? '');
    if (!m || Number(m[1]) !== start)
      throw new AppError('io', `${meta.location} answered the Range request with another range.`);
    from = start;
  }
  const fd = openSync(part, from > 0 ? 'a' : 'w');
  let done = from;
  try {
    if (!r.body) throw new AppError('io', `${meta.location} sent no body.`);
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      done += chunk.length;
      if (done > meta.size)
        throw new AppError('io', `${meta.location} sent more than the ${meta.size} bytes announced.`);
      writeSync(fd, chunk);
      onBytes(done);
    }
  } finally {
    closeSync(fd);
  }
  return from;
}

/**
 * Pulls the captioner files of `repo` at `revision` into `{weightsDir}/{repo}`. Files already there
 * with the same etag (recorded in `.pull.json`) are skipped; an interrupted file resumes. A file
 * whose size or hash does not match is deleted and refused.
 */
export async function pullRepo(o: PullOptions): Promise<PullResult> {
  try {
    return await pull(o);
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (o.signal?.aborted)
      throw new AppError('cancelled', 'Download cancelled; the same command resumes it where it stopped.');
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new AppError(
      'io',
      `The download of ${o.repo} failed: ${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}. ` +
        'Check the network (or HF_ENDPOINT) and run the same command again: it resumes.',
    );
  }
}

async function pull(o: PullOptions): Promise<PullResult> {
  checkRepoId(o.repo);
  const f = o.fetch ?? fetch;
  const endpoint = (o.endpoint ?? process.env.HF_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const revision = o.revision ?? 'main';
  const maxBytes = o.maxFileBytes ?? 8 * 2 ** 30;
  const dir = join(o.weightsDir, ...o.repo.split('/'));
  const partDir = join(dir, '.incomplete');
  mkdirSync(partDir, { recursive: true });
  const manifestPath = join(dir, '.pull.json');
  const manifest = (
    existsSync(manifestPath)
      ? JSON.parse(new TextDecoder().decode(readCapped(manifestPath, MAX_JSON_BYTES)))
      : {}
  ) as {
    files?: Record<string, string>;
  };
  const known: Record<string, string> = manifest.files ?? {};

  const listing = await listRepo(f, endpoint, o.repo, revision, o.signal);
  const queue = listing ? CAPTIONER_FILES.filter((x) => listing.files.has(x)) : [...CAPTIONER_FILES];
  if (listing && !listing.files.has('config.json'))
    throw new AppError(
      'not_found',
      `${o.repo} has no config.json at revision ${revision}; it is not a model folder.`,
    );
  const result: PullResult = { dir, commit: listing?.sha ?? null, files: [] };
  // Pin the revision to one commit: every file comes from the commit the listing (or config.json)
  // was served from, even if the branch moves during the download.
  let pinned = listing?.sha ?? revision;
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i];
    if (!SAFE_FILE.test(file) || file.split('/').includes('..'))
      throw new AppError(
        'invalid_argument',
        `The repository lists an unsafe file name ${JSON.stringify(file)}.`,
      );
    const url = resolveUrl(endpoint, o.repo, pinned, file);
    const meta = await headMeta(f, url, o.signal);
    if (!meta) {
      if (REQUIRED.includes(file))
        throw new AppError(
          'not_found',
          `${o.repo} has no ${file} at revision ${revision} (${url}); check the name and revision.`,
        );
      continue;
    }
    if (i === 0 && meta.commit && !listing?.sha) {
      result.commit = meta.commit;
      pinned = meta.commit;
    }
    if (meta.size > maxBytes)
      throw new AppError(
        'invalid_argument',
        `${file} is ${meta.size} bytes, above the ${maxBytes}-byte limit.`,
      );
    const dest = join(dir, file);
    const report = (done: number) =>
      o.onProgress?.({ file, done, total: meta.size, fileIndex: i, files: queue.length });
    let entry: PulledFile;
    if (known[file] === meta.etag && existsSync(dest) && statSync(dest).size === meta.size) {
      entry = { file, size: meta.size, etag: meta.etag, resumedFrom: 0, checked: 'size', skipped: true };
      report(meta.size);
    } else {
      const part = join(partDir, meta.etag.replace(/[^A-Za-z0-9]/g, '_'));
      const resumedFrom = await download(f, meta, part, report, o.signal);
      const got = statSync(part).size;
      let checked: PulledFile['checked'] = 'size';
      let bad = got !== meta.size ? `it has ${got} bytes, ${meta.size} were announced` : '';
      if (!bad && /^[0-9a-f]{64}$/.test(meta.etag)) {
        checked = 'sha256';
        const h = await hashFile(part, 'sha256');
        if (h !== meta.etag) bad = `its sha256 is ${h}, the hub says ${meta.etag}`;
      } else if (!bad && /^[0-9a-f]{40}$/.test(meta.etag)) {
        checked = 'git-sha1';
        const h = await hashFile(part, 'sha1', `blob ${got}\0`);
        if (h !== meta.etag) bad = `its git blob hash is ${h}, the hub says ${meta.etag}`;
      }
      if (bad) {
        rmSync(part, { force: true });
        throw new AppError(
          'io',
          `Downloaded ${file} from ${meta.location} is corrupt: ${bad}. It was deleted; pull again.`,
        );
      }
      mkdirSync(dirname(dest), { recursive: true });
      renameSync(part, dest);
      known[file] = meta.etag;
      writeFileSync(
        manifestPath,
        JSON.stringify({ repo: o.repo, revision, commit: result.commit, files: known }, null, 2),
      );
      entry = { file, size: meta.size, etag: meta.etag, resumedFrom, checked, skipped: false };
    }
    result.files.push(entry);
    if (file === 'model.safetensors.index.json') {
      const idx = JSON.parse(new TextDecoder().decode(readCapped(dest, MAX_JSON_BYTES))) as {
        weight_map?: Record<string, string>;
      };
      for (const shard of new Set(Object.values(idx.weight_map ?? {})))
        if (!queue.includes(shard)) queue.push(shard);
    }
  }
  rmSync(partDir, { recursive: true, force: true });
  if (!result.files.some((x) => x.file === 'model.safetensors' || x.file === 'model.safetensors.index.json'))
    throw new AppError(
      'not_found',
      `${o.repo} has no model.safetensors (only PyTorch pickles?); ask its authors for safetensors weights or pick another revision.`,
    );
  return result;
}
