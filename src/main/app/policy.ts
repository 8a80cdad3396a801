// The Electron app's trust decisions as pure functions (no electron import, so they are unit-tested
// with plain objects): which page is ours (an exact match), which IPC sender is trusted (the top
// frame of our window showing our page), which permission a page gets (none, bar one), and which
// library image a media:// URL asks for.
import { pathToFileURL } from 'node:url';

/** Where our page is: the dev server's URL (electron-vite dev) or the built index.html. */
export interface AppPage {
  devUrl?: string;
  indexFile: string;
}

/** Our page's URL (without query and hash): the dev URL as given, or index.html's file URL. */
export function appPageUrl(page: AppPage): string | null {
  return page.devUrl ? normalise(page.devUrl) : pathToFileURL(page.indexFile).href;
}

function normalise(url: string): string | null {
  try {
    const u = new URL(url);
    u.hash = '';
    u.search = '';
    return u.href;
  } catch {
    return null;
  }
}

/**
 * True only for our own page: the same scheme, host, port and path as the dev URL or the built
 * index.html (query and hash aside). A prefix is not enough: `http://localhost:5173` must not
 * trust `http://localhost:51730/` or `http://localhost:5173.evil.example/`, nor any other file://.
 */
export function isAppUrl(url: string, page: AppPage): boolean {
  const given = normalise(url);
  return given !== null && given === appPageUrl(page);
}

/** The parts of an IPC event this check reads (IpcMainInvokeEvent in the app). */
export interface SenderLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** An IPC call is trusted when it comes from our window's top frame showing our own page. */
export function isTrustedSender(e: SenderLike, windowContentsId: number, page: AppPage): boolean {
  const frame = e.senderFrame;
  if (!frame || e.sender.id !== windowContentsId) return false;
  if (frame.parent !== null) return false; // a sub-frame (an iframe), whatever its URL
  return isAppUrl(frame.url, page);
}

/**
 * Permissions our page may use (camera, microphone, geolocation, notifications, clipboard reads,
 * HID/serial/USB… none is needed today). Anything not listed, or asked by another page, is denied.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set<string>();

/**
 * The answer to a permission request (a page URL) or a permission check (often only an origin):
 * deny by default; a listed permission only for our own page.
 */
export function permissionAllowed(
  permission: string,
  requesting: string | undefined,
  page: AppPage,
): boolean {
  if (!ALLOWED_PERMISSIONS.has(permission) || !requesting) return false;
  if (isAppUrl(requesting, page)) return true;
  // A check names only the origin: our dev server's (a file:// origin names no page: denied).
  return !!page.devUrl && requesting.replace(/\/$/, '') === new URL(page.devUrl).origin;
}

/** The library image a media:// URL names (`media://image/<full|thumb>/<id>`), or null. */
export function parseMediaUrl(url: string): { kind: 'full' | 'thumb'; id: number } | null {
  const m = /^media:\/\/image\/(full|thumb)\/([1-9]\d{0,15})$/.exec(url);
  return m ? { kind: m[1] as 'full' | 'thumb', id: Number(m[2]) } : null;
}

/** Where a new window or a navigation may lead: never inside the app; http(s) to the browser. */
export function externalUrl(url: string): string | null {
  return /^https?:\/\//i.test(url) ? url : null;
}
