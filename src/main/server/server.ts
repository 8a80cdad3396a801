// Serve mode: the API over HTTP on 127.0.0.1 with a random token (JSON calls, Server-Sent Events,
// an image route for library images only), serving the built renderer.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { METHODS, type Method } from '../../shared/api';
import { AppError } from '../../shared/result';
import type { Core } from '../services/index';
import { safeJoin, sendFile } from './static';

export interface ServeOptions {
  core: Core;
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Required to listen on anything but loopback. */
  allowRemote?: boolean;
  token?: string;
  /** Resolves an image id to a file to send: the original or its thumbnail. */
  media?: (imageId: number, kind: 'full' | 'thumb') => Promise<string | null>;
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_BODY = 8 * 1024 * 1024;

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(data);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new AppError('invalid_argument', 'Request body too large.'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowRemote) {
    throw new AppError(
      'invalid_argument',
      `Refusing to serve on ${host}: it is not a loopback address. Anyone who can reach it could read your ` +
        `library with the token. Pass --allow-remote if you mean it (for example on a remote GPU box).`,
    );
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const methods = new Set<string>(METHODS);
  const sseClients = new Set<ServerResponse>();
  const offBus = opts.core.bus.onAny((event, payload) => {
    const line = `data: ${JSON.stringify({ event, payload })}\n\n`;
    for (const res of sseClients) res.write(line);
  });

  const authorised = (req: IncomingMessage, url: URL): boolean => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : (url.searchParams.get('token') ?? '');
    const buf = Buffer.from(given);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    res.setHeader('x-content-type-options', 'nosniff');

    if (path.startsWith('/api/') || path === '/events' || path.startsWith('/media/')) {
      if (!authorised(req, url))
        return json(res, 401, {
          ok: false,
          error: {
            code: 'unauthorized',
            message: 'Missing or wrong token: open the URL that `caption-studio serve` printed.',
          },
        });
    }

    if (path.startsWith('/api/')) {
      const method = path.slice(5);
      if (req.method !== 'POST')
        return json(res, 405, { ok: false, error: { code: 'invalid_argument', message: 'Use POST.' } });
      if (!methods.has(method))
        return json(res, 404, {
          ok: false,
          error: { code: 'not_found', message: `Unknown method ${method}.` },
        });
      let args: unknown;
      try {
        const body = await readBody(req);
        args = body ? JSON.parse(body) : {};
      } catch (e) {
        return json(res, 400, {
          ok: false,
          error: { code: 'invalid_argument', message: `The body is not JSON: ${(e as Error).message}` },
        });
      }
      return json(res, 200, await opts.core.dispatch(method as Method, args));
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
      const file = await (opts.media ?? opts.core.media)(id, kind);
      if (file && (await sendFile(res, file, { 'cache-control': 'private, max-age=3600' }))) return;
      return json(res, 404, {
        ok: false,
        error: { code: 'not_found', message: `No image ${id} in the library.` },
      });
    }

    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { ok: false, error: { code: 'invalid_argument', message: 'Use GET.' } });
    const file = safeJoin(opts.rendererDir, path === '/' ? 'index.html' : path);
    if (!file)
      return json(res, 403, {
        ok: false,
        error: { code: 'invalid_argument', message: 'That path is outside the app.' },
      });
    if (await sendFile(res, file)) return;
    return json(res, 404, { ok: false, error: { code: 'not_found', message: `Not found: ${path}` } });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        json(res, 500, { ok: false, error: { code: 'internal', message: (e as Error).message } });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    async close() {
      offBus();
      for (const res of sseClients) res.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const defaultRendererDir = (root = process.cwd()): string => join(root, 'out', 'renderer');
