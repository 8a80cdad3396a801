// Serve mode against a hostile browser or client: oversized bodies answered 413 (not a reset), files
// streamed on the upload route, the Host header (DNS rebinding), the token only in a header for the
// API, Origin on calls, security headers everywhere, file paths confined with --root, and no file's
// contents in an error.
import { request } from 'node:http';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { tempDir } from '../helpers/tmp';

const dir = tempDir();
const allowed = join(dir, 'allowed');
const outside = join(dir, 'outside');
let core: Core;
let server: RunningServer;
let outsideImage: number;

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A raw request; `chunked` sends the body without a length, as a stream would. */
function send(
  path: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunked?: boolean;
    port?: number;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: opts.port ?? server.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers ?? {},
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (opts.chunked && opts.body) {
      const b = Buffer.from(opts.body);
      for (let i = 0; i < b.length; i += 1 << 20) req.write(b.subarray(i, i + (1 << 20)));
      req.end();
    } else req.end(opts.body);
  });
}

const auth = (s = server) => ({ authorization: `Bearer ${s.token}` });
const call = (method: string, args: unknown, s = server) =>
  send(`/api/${method}`, {
    method: 'POST',
    port: s.port,
    headers: { ...auth(s), 'content-type': 'application/json' },
    body: JSON.stringify(args),
  }).then(
    (r) => JSON.parse(r.body) as { ok: boolean; value?: unknown; error?: { code: string; message: string } },
  );

beforeAll(async () => {
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer, { recursive: true });
  mkdirSync(join(allowed, 'photos'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(outside, 'private.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  writeFileSync(join(outside, 'notes.txt'), 'TOPSECRET line one\nTOPSECRET line two\n');
  writeFileSync(join(allowed, 'notes.txt'), 'TOPSECRET in the root\n');
  writeFileSync(join(allowed, 'lines.jsonl'), '{"file": "a.jpg", "caption": TOPSECRET}\n');
  symlinkSync(outside, join(allowed, 'link-out'));
  core = createCore({ dbPath: join(dir, 'lib', 'lib.db') });
  outsideImage = core.store.images.upsert({
    hash: 'o',
    path: join(outside, 'private.jpg'),
    width: 1,
    height: 1,
  }).image.id;
  server = await startServer({ core, rendererDir: renderer });
});

afterAll(async () => {
  await server.close();
  core.close();
});

describe('request bodies', () => {
  it('answers an API call over the JSON limit with 413, not a reset connection', async () => {
    const body = JSON.stringify({ search: 'x'.repeat(9 * 2 ** 20) });
    for (const chunked of [false, true]) {
      const r = await send('/api/library.list', { method: 'POST', headers: auth(), body, chunked });
      expect(r.status, `chunked: ${chunked}`).toBe(413);
      expect(JSON.parse(r.body).error.message).toMatch(/larger than 8 MiB.*\/api\/upload/);
    }
    // The server still answers afterwards.
    expect((await call('system.version', {})).ok).toBe(true);
  });

  it('streams a camera-sized photo on the upload route, and cleans the batch after import', async () => {
    const photo = Buffer.alloc(12 * 2 ** 20, 7);
    const r = await send('/api/upload?batch=b1&name=trip%2Fcamera.jpg', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      body: photo,
    });
    expect(r.status).toBe(200);
    const value = JSON.parse(r.body).value as { dir: string; bytes: number };
    expect(value.bytes).toBe(photo.length);
    expect(statSync(join(value.dir, 'trip', 'camera.jpg')).size).toBe(photo.length);
    // Not an image: nothing became a library image, so the batch is removed whole.
    const done = await call('import.uploadDone', { batchId: 'b1' });
    expect(done).toMatchObject({ ok: true, value: { removed: 1, kept: 0 } });
    expect(existsSync(value.dir)).toBe(false);
  });

  it('after importing an upload batch, keeps the photos that joined the library and removes the rest', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const put = (name: string, body: Buffer | string) =>
      send(`/api/upload?batch=drop2&name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/octet-stream' },
        body,
      }).then((r) => JSON.parse(r.body).value as { dir: string });
    const { dir: batch } = await put('red.png', png);
    await put('red.txt', 'a red square');
    await put('notes.md', 'not a photo');
    const report = await call('import.folder', { path: batch });
    expect(report).toMatchObject({ ok: true, value: { added: 1, captionsAdded: 1 } });
    expect(readdirSync(batch)).toEqual(['red.png']);
  });

  it('answers an upload over its own limit with 413 and leaves no partial file', async () => {
    const small = await startServer({ core, rendererDir: join(dir, 'renderer'), maxUploadBytes: 2 ** 20 });
    try {
      for (const chunked of [false, true]) {
        const r = await send(`/api/upload?batch=big${chunked ? 'c' : ''}&name=huge.jpg`, {
          method: 'POST',
          port: small.port,
          headers: { ...auth(small), 'content-type': 'application/octet-stream' },
          body: Buffer.alloc(3 * 2 ** 20),
          chunked,
        });
        expect(r.status, `chunked: ${chunked}`).toBe(413);
        expect(JSON.parse(r.body).error.message).toMatch(/huge\.jpg is larger than 1 MiB/);
      }
      const uploads = join(dir, 'lib', 'uploads');
      const left = existsSync(uploads)
        ? readdirSync(uploads, { recursive: true }).filter((f) => /\.jpg/.test(String(f)))
        : [];
      expect(left).toEqual([]);
    } finally {
      await small.close();
    }
  });
});

describe('who may call', () => {
  it('answers 421 to a Host header that is not this server (DNS rebinding)', async () => {
    for (const host of [`rebind.example:${server.port}`, 'evil.localhost.example', '127.0.0.1.nip.io']) {
      const r = await send('/', { headers: { host } });
      expect(r.status, host).toBe(421);
      expect(r.body).not.toContain('<title>app</title>');
    }
    const api = await send('/api/system.version', {
      method: 'POST',
      headers: { ...auth(), host: `attacker.example:${server.port}` },
      body: '{}',
    });
    expect(api.status).toBe(421);
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`])
      expect((await send('/', { headers: { host } })).status, host).toBe(200);
  });

  it('takes the API token from the Authorization header only, never the query string or a cookie', async () => {
    const q = await send(`/api/system.version?token=${server.token}`, { method: 'POST', body: '{}' });
    expect(q.status).toBe(401);
    const c = await send('/api/system.version', {
      method: 'POST',
      body: '{}',
      headers: { cookie: `cs_session_${server.port}=${server.token}` },
    });
    expect(c.status).toBe(401);
    expect((await send(`/media/full/${outsideImage}?token=${server.token}`)).status).toBe(401);
    expect((await send(`/events?token=${server.token}`)).status).toBe(401);
  });

  it('gives the page a session cookie (HttpOnly, SameSite=Strict) only with the right token', async () => {
    const good = await send(`/?token=${server.token}`);
    const set = String(good.headers['set-cookie']);
    expect(set).toContain(`cs_session_${server.port}=${server.token}`);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(good.headers['cache-control']).toBe('no-store');
    expect((await send('/?token=wrong')).headers['set-cookie']).toBeUndefined();
    expect((await send('/')).headers['set-cookie']).toBeUndefined();
  });

  it('refuses calls from another origin, even with the token', async () => {
    const post = (headers: Record<string, string>) =>
      send('/api/captions.undo', { method: 'POST', headers: { ...auth(), ...headers }, body: '{}' });
    expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    const upload = await send('/api/upload?batch=x&name=a.jpg', {
      method: 'POST',
      headers: { ...auth(), origin: 'http://evil.example' },
      body: 'abc',
    });
    expect(upload.status).toBe(403);
  });

  it('sends Referrer-Policy and frame-ancestors on every response', async () => {
    const answers = [
      await send('/'),
      await send('/missing.js'),
      await send('/api/system.version', { method: 'POST', body: '{}' }),
      await send('/', { headers: { host: 'rebind.example' } }),
      await send('/api/system.version', { method: 'POST', headers: auth(), body: '{}' }),
    ];
    for (const r of answers) {
      expect(r.headers['referrer-policy'], String(r.status)).toBe('no-referrer');
      expect(r.headers['content-security-policy'], String(r.status)).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['content-security-policy']).not.toMatch(/unsafe-inline/);
    }
  });
});

describe('confined file paths (--allow-remote, --root)', () => {
  let remote: RunningServer;
  beforeAll(async () => {
    remote = await startServer({
      core,
      rendererDir: join(dir, 'renderer'),
      allowRemote: true,
      roots: [allowed],
    });
  });
  afterAll(() => remote.close());

  it('refuses every file path outside the roots, links included', async () => {
    const refused: [string, unknown][] = [
      ['import.folder', { path: outside }],
      ['import.folder', { path: join(allowed, 'link-out') }],
      ['import.folder', { path: join(allowed, '..', 'outside') }],
      ['import.dataset', { format: 'karpathy', path: join(outside, 'notes.txt') }],
      ['import.dataset', { format: 'karpathy', path: join(allowed, 'notes.txt'), images: outside }],
      ['export.dataset', { format: 'csv', out: join(outside, 'export') }],
      ['runs.export', { runId: 1, out: join(outside, 'model') }],
      ['library.health', { vocabPath: join(outside, 'notes.txt') }],
      [
        'caption.generate',
        { runId: 1, paths: [join(allowed, 'photos', 'a.jpg'), join(outside, 'private.jpg')] },
      ],
      [
        'caption.compare',
        { runIds: [1, 2], paths: [join(allowed, 'photos', 'a.jpg'), join(outside, 'private.jpg')] },
      ],
      ['caption.save', { path: join(outside, 'private.jpg'), text: 'a photo', status: 'approved' }],
      ['train.start', { model: 'cnn-lstm', config: { encoderWeights: join(outside, 'w.safetensors') } }],
    ];
    for (const [method, args] of refused) {
      const r = await call(method, args, remote);
      expect(r, `${method} ${JSON.stringify(args)}`).toMatchObject({
        ok: false,
        error: { code: 'unauthorized' },
      });
      expect(r.error!.message).toMatch(/outside the folders this server may use.*--root/);
    }
    // Inside a root, the call goes through (an empty folder imports nothing).
    const ok = await call('import.folder', { path: join(allowed, 'photos') }, remote);
    expect(ok).toMatchObject({ ok: true, value: { added: 0 } });
  });

  it('serves no image that lies outside the roots', async () => {
    const headers = { cookie: `cs_session_${remote.port}=${remote.token}` };
    expect((await send(`/media/full/${outsideImage}`, { port: remote.port, headers })).status).toBe(404);
    expect((await send(`/media/thumb/${outsideImage}`, { port: remote.port, headers })).status).toBe(404);
    // A photo inside a root is served, thumbnail (from the library's cache) and original.
    const inside = join(allowed, 'photos', 'blue.png');
    writeFileSync(
      inside,
      await sharp({ create: { width: 40, height: 30, channels: 3, background: '#33c' } })
        .png()
        .toBuffer(),
    );
    const id = core.store.images.upsert({ hash: 'blue', path: inside, width: 40, height: 30 }).image.id;
    const thumb = await send(`/media/thumb/${id}`, { port: remote.port, headers });
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((await send(`/media/full/${id}`, { port: remote.port, headers })).status).toBe(200);
    // The loopback server without --root serves it.
    const local = { cookie: `cs_session_${server.port}=${server.token}` };
    expect((await send(`/media/full/${outsideImage}`, { headers: local })).status).toBe(200);
  });

  it("never echoes a file's contents in an error", async () => {
    const vocab = await call('library.health', { vocabPath: join(allowed, 'notes.txt') }, remote);
    expect(vocab.ok).toBe(false);
    expect(vocab.error!.message).toMatch(/is not JSON/);
    const karpathy = await call(
      'import.dataset',
      { format: 'karpathy', path: join(allowed, 'notes.txt') },
      remote,
    );
    const jsonl = await call(
      'import.dataset',
      { format: 'jsonl', path: join(allowed, 'lines.jsonl') },
      remote,
    );
    for (const r of [vocab, karpathy, jsonl]) expect(JSON.stringify(r)).not.toContain('TOPSECRET');
    expect(JSON.stringify(karpathy)).toMatch(/not valid JSON/);
    expect(JSON.stringify(jsonl)).toMatch(/Line 1 is not JSON \(a character that JSON does not allow\)/);
  });
});
