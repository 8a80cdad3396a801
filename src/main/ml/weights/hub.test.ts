// `weights pull` against a local HTTP server that answers like the hub: `resolve` URLs with
// X-Repo-Commit / X-Linked-Etag / X-Linked-Size, a relative redirect for a renamed repository, an
// absolute redirect to a CDN address that honours Range; an interrupted download resumes and a
// corrupted file is refused.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHfVitGpt2 } from './hfVitGpt2';
import { pullRepo } from './hub';
import { writeTinyVed } from './tinyHfCheckpoint';

const root = mkdtempSync(join(tmpdir(), 'hub-test-'));
const repoDir = join(root, 'repo');
writeTinyVed(repoDir, 'ved');
const COMMIT = 'a'.repeat(40);
const files = new Map<string, Buffer>();
for (const f of readdirSync(repoDir)) files.set(f, readFileSync(join(repoDir, f)));
const LFS = new Set(['model.safetensors']);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

/** Knobs the tests turn: cut the next CDN body after N bytes, serve corrupted bytes. */
const server = {
  cutAfter: 0,
  corrupt: false,
  noRange: false,
  requests: [] as Array<{ method: string; url: string; range?: string }>,
};
let srv: Server;
let endpoint = '';

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = req.url ?? '';
  server.requests.push({ method: req.method ?? '', url, range: req.headers.range });
  const api = /^\/api\/models\/owner\/tiny\/revision\/([^/]+)$/.exec(url);
  if (api) {
    if (api[1] !== 'main' && api[1] !== COMMIT) {
      res.writeHead(404, { 'X-Error-Code': 'RevisionNotFound' }).end();
      return;
    }
    const listing = {
      id: 'owner/tiny',
      sha: COMMIT,
      siblings: [...files.keys(), 'README.md'].map((rfilename) => ({ rfilename })),
    };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(listing));
    return;
  }
  const renamed = /^\/old-owner\/tiny\/resolve\/(.+)$/.exec(url);
  if (renamed) {
    res.writeHead(307, { Location: `/owner/tiny/resolve/${renamed[1]}` }).end();
    return;
  }
  const m = /^\/owner\/tiny\/resolve\/([^/]+)\/(.+)$/.exec(url);
  if (m) {
    const [, rev, file] = m;
    const body = files.get(decodeURIComponent(file));
    if ((rev !== 'main' && rev !== COMMIT) || !body) {
      res.writeHead(404, { 'X-Error-Code': 'EntryNotFound' }).end();
      return;
    }
    if (LFS.has(file)) {
      const sha = sha256(body);
      res
        .writeHead(302, {
          Location: `${endpoint}/cdn/${sha}`,
          'X-Repo-Commit': COMMIT,
          'X-Linked-Etag': `"${sha}"`,
          'X-Linked-Size': String(body.length),
          ETag: `W/"${gitSha1(Buffer.from('pointer'))}"`,
        })
        .end();
      return;
    }
    res.writeHead(200, {
      'X-Repo-Commit': COMMIT,
      ETag: `"${gitSha1(body)}"`,
      'Content-Length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url);
  const body = cdn && [...files.values()].find((b) => sha256(b) === cdn[1]);
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  const data = server.corrupt ? Buffer.from(body) : body;
  if (server.corrupt) data[data.length - 1] ^= 0xff;
  let start = 0;
  const range = server.noRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range) start = Number(range[1]);
  const part = data.subarray(start);
  res.writeHead(range ? 206 : 200, {
    'Content-Length': part.length,
    ...(range ? { 'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
  });
  if (server.cutAfter > 0) {
    const n = server.cutAfter;
    server.cutAfter = 0;
    res.write(part.subarray(0, n), () => setTimeout(() => res.destroy(), 20));
    return;
  }
  res.end(part);
}

beforeAll(async () => {
  srv = createServer(handle);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => srv.close(r));
  rmSync(root, { recursive: true, force: true });
});

describe('pullRepo', () => {
  it('downloads the captioner files through the redirects, checks them, and the folder loads', async () => {
    const weights = join(root, 'w1');
    const seen: number[] = [];
    const r = await pullRepo({
      repo: 'owner/tiny',
      weightsDir: weights,
      endpoint,
      onProgress: (p) => seen.push(p.done),
    });
    expect(r.commit).toBe(COMMIT);
    expect(r.dir).toBe(join(weights, 'owner', 'tiny'));
    const got = Object.fromEntries(r.files.map((f) => [f.file, f.checked]));
    expect(got).toEqual({
      'config.json': 'git-sha1',
      'preprocessor_config.json': 'git-sha1',
      'model.safetensors': 'sha256',
      'vocab.json': 'git-sha1',
      'merges.txt': 'git-sha1',
      'tokenizer_config.json': 'git-sha1',
    });
    for (const f of Object.keys(got)) expect(readFileSync(join(r.dir, f)).equals(files.get(f)!)).toBe(true);
    expect(existsSync(join(r.dir, '.incomplete'))).toBe(false);
    expect(seen.length).toBeGreaterThan(0);
    // The API listing was used: files the repository lacks were never asked for, README.md neither.
    expect(server.requests.some((q) => /tokenizer\.json$|README\.md$/.test(q.url))).toBe(false);
    expect(server.requests[0].url).toBe('/api/models/owner/tiny/revision/main');
    // After the first file every request names the commit, not "main".
    const later = server.requests.filter(
      (q) => q.url.includes('/resolve/') && !q.url.endsWith('/config.json'),
    );
    expect(later.every((q) => q.url.includes(`/resolve/${COMMIT}/`))).toBe(true);
    const a = readHfVitGpt2({ dir: r.dir });
    const b = readHfVitGpt2({ dir: repoDir });
    for (const [k, v] of b.tensors) expect(a.tensors.get(k)!.data).toEqual(v.data);
    // A second pull finds everything in place and downloads nothing.
    server.requests.length = 0;
    const again = await pullRepo({ repo: 'owner/tiny', weightsDir: weights, endpoint });
    expect(again.files.every((f) => f.skipped)).toBe(true);
    expect(server.requests.filter((q) => q.method !== 'HEAD').map((q) => q.url)).toEqual([
      '/api/models/owner/tiny/revision/main',
    ]);
  });

  it('follows a relative redirect of a renamed repository and takes HF_ENDPOINT', async () => {
    const old = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = endpoint;
    try {
      server.requests.length = 0;
      const r = await pullRepo({ repo: 'old-owner/tiny', weightsDir: join(root, 'w2') });
      expect(r.files.map((f) => f.file)).toContain('model.safetensors');
      // No listing for this name: the fixed list was tried file by file (404s skipped).
      expect(server.requests.some((q) => q.method === 'HEAD' && q.url.endsWith('/tokenizer.json'))).toBe(
        true,
      );
    } finally {
      if (old === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = old;
    }
  });

  it('resumes an interrupted download with a Range request', async () => {
    const weights = join(root, 'w3');
    server.cutAfter = 3000;
    await expect(pullRepo({ repo: 'owner/tiny', weightsDir: weights, endpoint })).rejects.toThrow(
      /The download of owner\/tiny failed: .*run the same command again: it resumes/,
    );
    const partDir = join(weights, 'owner', 'tiny', '.incomplete');
    expect(readdirSync(partDir)).toHaveLength(1);
    server.requests.length = 0;
    const r = await pullRepo({ repo: 'owner/tiny', weightsDir: weights, endpoint });
    const st = r.files.find((f) => f.file === 'model.safetensors')!;
    expect(st.resumedFrom).toBeGreaterThanOrEqual(3000);
    expect(server.requests.some((q) => q.range === `bytes=${st.resumedFrom}-`)).toBe(true);
    expect(readFileSync(join(r.dir, 'model.safetensors')).equals(files.get('model.safetensors')!)).toBe(true);
  });

  it('cancels on its signal, keeping the partial file for the next pull', async () => {
    const weights = join(root, 'w7');
    const ac = new AbortController();
    const run = pullRepo({
      repo: 'owner/tiny',
      weightsDir: weights,
      endpoint,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.file === 'model.safetensors' && p.done > 0 && p.done < p.total) ac.abort();
      },
    });
    server.cutAfter = 0;
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(readdirSync(join(weights, 'owner', 'tiny', '.incomplete'))).toHaveLength(1);
    const r = await pullRepo({ repo: 'owner/tiny', weightsDir: weights, endpoint });
    expect(r.files.find((f) => f.file === 'model.safetensors')!.resumedFrom).toBeGreaterThan(0);
  });

  it('starts the file again when the server ignores the Range request', async () => {
    const weights = join(root, 'w6');
    server.cutAfter = 3000;
    await expect(pullRepo({ repo: 'owner/tiny', weightsDir: weights, endpoint })).rejects.toThrow();
    server.noRange = true;
    try {
      const r = await pullRepo({ repo: 'owner/tiny', weightsDir: weights, endpoint });
      expect(r.files.find((f) => f.file === 'model.safetensors')!.resumedFrom).toBe(0);
      expect(readFileSync(join(r.dir, 'model.safetensors')).equals(files.get('model.safetensors')!)).toBe(
        true,
      );
    } finally {
      server.noRange = false;
    }
  });

  it('refuses and deletes a corrupted file, and refuses a bad repository id or revision', async () => {
    const weights = join(root, 'w4');
    server.corrupt = true;
    try {
      await expect(pullRepo({ repo: 'owner/tiny', weightsDir: weights, endpoint })).rejects.toThrow(
        /model\.safetensors .* is corrupt: its sha256 is [0-9a-f]{64}, the hub says/,
      );
    } finally {
      server.corrupt = false;
    }
    expect(existsSync(join(weights, 'owner', 'tiny', 'model.safetensors'))).toBe(false);
    expect(readdirSync(join(weights, 'owner', 'tiny', '.incomplete'))).toHaveLength(0);
    await expect(pullRepo({ repo: '../etc', weightsDir: weights, endpoint })).rejects.toThrow(/owner\/name/);
    await expect(
      pullRepo({ repo: 'owner/tiny', revision: 'nope', weightsDir: weights, endpoint }),
    ).rejects.toThrow(/has no revision nope/);
  });

  it('runs as `caption-studio weights pull` with HF_ENDPOINT, printing what it checked', async () => {
    const weights = join(root, 'w5');
    const { code, out } = await new Promise<{ code: number | null; out: string }>((done) => {
      const p = spawn('node', ['bin/caption-studio.js', 'weights', 'pull', 'owner/tiny', '--dir', weights], {
        env: { ...process.env, HF_ENDPOINT: endpoint },
      });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (c) => done({ code: c, out }));
    });
    expect(code, out).toBe(0);
    expect(out).toMatch(/got {1,2}model\.safetensors \(\d+ bytes, sha256 checked\)/);
    expect(out).toMatch(new RegExp(`owner/tiny @ ${COMMIT.slice(0, 12)}`));
    expect(
      readFileSync(join(weights, 'owner', 'tiny', 'config.json')).equals(files.get('config.json')!),
    ).toBe(true);
  });
});
