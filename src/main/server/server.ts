// Serve mode: the API over HTTP on 127.0.0.1 with a random token (JSON calls, a streamed upload
// route, Server-Sent Events, an image route for library images only), serving the built renderer.
// Every request names this server in its Host header; API calls carry the token in a header and,
// when a browser sends them, come from our own origin; the page and its images use a session cookie.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MAX_JSON_BODY, MAX_UPLOAD_BYTES, METHODS, UPLOAD_ROUTE, type Method } from '../../shared/api';
import { AppError, toErrorData, type ErrorCode } from '../../shared/result';
import type { Core } from '../services/index';
import { receiveUpload, uploadsDirFor } from '../services/uploads';
import { pathPolicy, type PathPolicy } from './confine';
import {
  allowedHostNames,
  bearer,
  cookieName,
  cookieValue,
  hostAllowed,
  isLoopbackName,
  originAllowed,
  SECURITY_HEADERS,
  sessionCookie,
  tokenMatches,
} from './guard';
import { safeJoin, sendFile } from './static';

export interface ServeOptions {
  core: Core;
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Required to listen on anything but loopback; confines file paths to `roots`. */
  allowRemote?: boolean;
  /** Folders the API's file paths must lie in (serve --root); given or remote, paths are confined. */
  roots?: readonly string[];
  token?: string;
  /** Resolves an image id to a file to send: the original or its thumbnail. */
  media?: (imageId: number, kind: 'full' | 'thumb') => Promise<string | null>;
  /** Limits (tests lower them). */
  maxJsonBytes?: number;
  maxUploadBytes?: number;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** How much of an oversized body is still read (and dropped) so the 413 reaches the client. */
const DRAIN_CAP = 64 * 1024 * 1024;

export function isLoopback(host: string): boolean {
  return isLoopbackName(host.toLowerCase().replace(/^\[|\]$/g, ''));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(data);
}

const failure = (res: ServerResponse, status: number, code: ErrorCode, message: string): void =>
  json(res, status, { ok: false, error: { code, message } });

class TooLarge extends Error {}

/** True when the declared Content-Length is over the limit (answered 413 before reading). */
function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const n = Number(req.headers['content-length'] ?? NaN);
  return Number.isFinite(n) && n > limit;
}

/**
 * Reads a body up to `limit` bytes. A longer one is read on and dropped (up to DRAIN_CAP) so the
 * client gets its 413 instead of a reset connection, then rejected with TooLarge.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > limit + DRAIN_CAP) req.destroy();
    });
    req.on('end', () =>
      size > limit ? reject(new TooLarge()) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
    // Cut off by the client, or destroyed past the drain cap.
    req.on('close', () => {
      if (!req.complete) reject(size > limit ? new TooLarge() : new Error('The request was cut off.'));
    });
  });
}

const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowRemote) {
    throw new AppError(
      'invalid_argument',
      `Refusing to serve on ${host}: it is not a loopback address. Anyone who can reach it could read your ` +
        `library with the token. Pass --allow-remote if you mean it (for example on a remote GPU box).`,
    );
  }
  const maxJson = opts.maxJsonBytes ?? MAX_JSON_BODY;
  const maxUpload = opts.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const hosts = allowedHostNames(host, !!opts.allowRemote);
  const uploads = uploadsDirFor(opts.core.store.path);
  // Remote serving (or any --root) confines file paths to the roots and the uploads folder.
  const policy: PathPolicy | null =
    opts.allowRemote || opts.roots?.length ? pathPolicy([...(opts.roots ?? []), ensureDir(uploads)]) : null;
  const resolveMedia = opts.media ?? opts.core.media;
  const methods = new Set<string>(METHODS);
  const sseClients = new Set<ServerResponse>();
  const offBus = opts.core.bus.onAny((event, payload) => {
    const line = `data: ${JSON.stringify({ event, payload })}\n\n`;
    for (const res of sseClients) res.write(line);
  });
  let port = 0;

  /** API calls: the token in the Authorization header only (never a cookie or the query string). */
  const apiAuthorised = (req: IncomingMessage) => tokenMatches(bearer(req.headers.authorization), token);
  /** Images and events (an <img> or EventSource cannot send headers): the session cookie too. */
  const pageAuthorised = (req: IncomingMessage) =>
    apiAuthorised(req) || tokenMatches(cookieValue(req.headers.cookie, cookieName(port)), token);
  const unauthorised = (res: ServerResponse) =>
    failure(
      res,
      401,
      'unauthorized',
      'Missing or wrong token: open the URL that `caption-studio serve` printed.',
    );

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'POST') return failure(res, 405, 'invalid_argument', 'Use POST.');
    if (!apiAuthorised(req)) return unauthorised(res);
    if (!originAllowed(req.headers as Record<string, string>))
      return failure(
        res,
        403,
        'unauthorized',
        'Calls are accepted only from the Caption Studio page itself.',
      );
    if (url.pathname === UPLOAD_ROUTE) return handleUpload(req, res, url);
    const method = url.pathname.slice(5);
    if (!methods.has(method)) return failure(res, 404, 'not_found', `Unknown method ${method}.`);
    const tooLarge = () =>
      failure(
        res,
        413,
        'invalid_argument',
        `The call is larger than ${mib(maxJson)}; send files on ${UPLOAD_ROUTE}.`,
      );
    if (declaredTooLarge(req, maxJson)) return tooLarge();
    let args: unknown;
    try {
      const body = await readBody(req, maxJson);
      args = body ? JSON.parse(body) : {};
    } catch (e) {
      if (e instanceof TooLarge) return tooLarge();
      return failure(res, 400, 'invalid_argument', 'The body is not JSON.');
    }
    if (policy) {
      try {
        policy.check(method as Method, args);
      } catch (e) {
        return json(res, 200, { ok: false, error: toErrorData(e) });
      }
    }
    return json(res, 200, await opts.core.dispatch(method as Method, args));
  };

  const handleUpload = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const batch = url.searchParams.get('batch') ?? '';
    const name = url.searchParams.get('name') ?? '';
    const tooLarge = () =>
      failure(res, 413, 'invalid_argument', `${name} is larger than ${mib(maxUpload)}; it was not uploaded.`);
    if (!name) return failure(res, 400, 'invalid_argument', 'Give the file name: ?batch=ID&name=PATH.');
    if (declaredTooLarge(req, maxUpload)) return tooLarge();
    try {
      return json(res, 200, { ok: true, value: await receiveUpload(uploads, batch, name, req, maxUpload) });
    } catch (e) {
      const data = toErrorData(e);
      if ((data.details as { tooLarge?: boolean } | undefined)?.tooLarge) return tooLarge();
      return json(res, 200, { ok: false, error: data });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    // DNS rebinding: a page of another site whose name now points here names that site as Host.
    if (!hostAllowed(req.headers.host, hosts))
      return failure(
        res,
        421,
        'unauthorized',
        'This server answers only to its own address (Host header refused).',
      );
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;

    if (path.startsWith('/api/')) return handleApi(req, res, url);

    if (path === '/events' || path.startsWith('/media/')) {
      if (!pageAuthorised(req)) return unauthorised(res);
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return failure(res, 405, 'invalid_argument', 'Use GET.');
    }

    if (path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sseClients.add(res);
      req.on('close', () => sseClients.delete(res));
      return;
    }

    const media = /^\/media\/(full|thumb)\/(\d+)$/.exec(path);
    if (media) {
      const id = Number(media[2]);
      const kind = media[1] as 'full' | 'thumb';
      // Confined serving shows only photos inside the allowed folders (judged by the photo's own path:
      // its thumbnail lives in the library's cache), whatever the library holds.
      const original = opts.core.store.images.get(id)?.path;
      const file = !policy || (original && policy.allows(original)) ? await resolveMedia(id, kind) : null;
      if (file && (await sendFile(res, file, { 'cache-control': 'private, max-age=3600' }))) return;
      return failure(res, 404, 'not_found', `No image ${id} in the library.`);
    }
    if (path.startsWith('/media/')) return failure(res, 404, 'not_found', 'No such image.');

    if (req.method !== 'GET' && req.method !== 'HEAD')
      return failure(res, 405, 'invalid_argument', 'Use GET.');
    const isPage = path === '/' || path === '/index.html';
    const file = safeJoin(opts.rendererDir, isPage ? 'index.html' : path);
    if (!file) return failure(res, 403, 'invalid_argument', 'That path is outside the app.');
    // The printed URL carries the token once: the page keeps it for API calls and removes it from the
    // address bar; the cookie lets its images and events in.
    const headers: Record<string, string> = isPage ? { 'cache-control': 'no-store' } : {};
    if (isPage && tokenMatches(url.searchParams.get('token'), token))
      res.setHeader('set-cookie', sessionCookie(port, token));
    if (await sendFile(res, file, headers)) return;
    return failure(res, 404, 'not_found', `Not found: ${path}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) failure(res, 500, 'internal', (e as Error).message);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    async close() {
      offBus();
      for (const res of sseClients) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const defaultRendererDir = (root = process.cwd()): string => join(root, 'out', 'renderer');
