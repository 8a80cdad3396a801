// Serve mode over real HTTP: token required (401, a header for the API, a session cookie for images
// and events), calls as JSON with errors as data, SSE events, library images only, path traversal
// refused, non-loopback hosts refused without --allow-remote.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { startServer, type RunningServer } from '../../src/main/server/server';
import { tempDir } from '../helpers/tmp';

const dir = tempDir();
let core: Core;
let server: RunningServer;
let base: string;
let imageId: number;

/** A raw request, so that paths are sent exactly as written (no URL normalisation). */
export function raw(
  path: string,
  opts: {
    method?: string;
    token?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    port?: number;
  } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: opts.port ?? server.port,
        path,
        method: opts.method ?? 'GET',
        headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(renderer, 'assets', 'a.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  const photo = join(dir, 'photo.jpg');
  writeFileSync(photo, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  core = createCore({ dbPath: join(dir, 'lib.db') });
  imageId = core.store.images.upsert({ hash: 'p', path: photo, width: 1, height: 1 }).image.id;
  server = await startServer({ core, rendererDir: renderer });
  base = `http://127.0.0.1:${server.port}`;
});

/** The session cookie the page gets when opened with the printed URL. */
const cookie = () => `cs_session_${server.port}=${server.token}`;

afterAll(async () => {
  await server.close();
  core.close();
});

describe('serve mode', () => {
  it('prints a loopback URL with a random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('answers 401 without the token or with a wrong one', async () => {
    expect((await raw('/api/library.list', { method: 'POST', body: '{}' })).status).toBe(401);
    expect(
      (await raw('/api/library.list', { method: 'POST', body: '{}', token: 'x'.repeat(32) })).status,
    ).toBe(401);
    expect((await raw(`/media/full/${imageId}`)).status).toBe(401);
    expect((await raw('/events')).status).toBe(401);
  });

  it('runs API calls with the token, errors coming back as data', async () => {
    const r = await fetch(`${base}/api/captions.add`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ imageId, text: 'a test photo' }),
    });
    const body = (await r.json()) as { ok: boolean; value: { text: string } };
    expect(body.ok).toBe(true);
    expect(body.value.text).toBe('a test photo');
    const bad = await raw('/api/captions.edit', {
      method: 'POST',
      token: server.token,
      body: '{"captionId": -1}',
    });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    const notJson = await raw('/api/library.list', { method: 'POST', token: server.token, body: '{' });
    expect(notJson.status).toBe(400);
    expect((await raw('/api/nothing.here', { method: 'POST', token: server.token })).status).toBe(404);
  });

  it('streams events over SSE', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${base}/events`, { signal: ctl.signal, headers: { cookie: cookie() } });
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    await fetch(`${base}/api/captions.add`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: JSON.stringify({ imageId, text: 'second' }),
    });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain(
      `"event":"library.changed","payload":{"imageIds":[${imageId}]}`,
    );
    ctl.abort();
  });

  it('serves library images by id only', async () => {
    const ok = await fetch(`${base}/media/full/${imageId}`, { headers: { cookie: cookie() } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/jpeg');
    const headers = { cookie: cookie() };
    expect((await raw(`/media/full/99999`, { headers })).status).toBe(404);
    expect((await raw(`/media/full/..%2f..%2fsecret.txt`, { headers })).status).not.toBe(200);
  });

  it('refuses path traversal out of the renderer folder', async () => {
    expect((await raw('/')).body).toContain('<title>app</title>');
    expect((await raw('/assets/a.js')).status).toBe(200);
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    ]) {
      const r = await raw(p);
      expect(r.body, p).not.toContain('not for the web');
      expect([403, 404], p).toContain(r.status);
    }
  });

  it('refuses a non-loopback host unless remote serving is explicit', async () => {
    await expect(startServer({ core, rendererDir: dir, host: '0.0.0.0' })).rejects.toThrow(
      /not a loopback address.*--allow-remote/,
    );
    const remote = await startServer({ core, rendererDir: dir, host: '0.0.0.0', allowRemote: true });
    expect(remote.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\//);
    await remote.close();
  });
});
