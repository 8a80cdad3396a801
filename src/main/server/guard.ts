// Serve mode's request checks, as pure functions: the Host header (against DNS rebinding), the
// Origin of state-changing calls (against cross-site requests), the session token and its cookie,
// and the headers every response carries.
import { timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';

/** Headers on every response: no Referer leaves the page, and no other site may frame it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** The host name of a Host header (lower case, IPv6 without brackets), or null when malformed. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return v6[1];
  const named = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return named ? named[1].replace(/\.$/, '') : null;
}

export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * The host names a request may name: the loopback names, plus (with --allow-remote) the address
 * served on; for a wildcard address (0.0.0.0, ::) every address of this machine's interfaces.
 */
export function allowedHostNames(
  listenHost: string,
  allowRemote: boolean,
  interfaces: () => string[] = interfaceAddresses,
): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (!allowRemote) return names;
  const h = listenHost.toLowerCase().replace(/^\[|\]$/g, '');
  if (WILDCARD.has(h)) for (const a of interfaces()) names.add(a.toLowerCase());
  else names.add(h);
  return names;
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((i) => (i ? [i.address] : []));
}

/** True when the Host header names this server (a loopback name or an allowed address). */
export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostName(header);
  return name !== null && (isLoopbackName(name) || allowed.has(name));
}

/**
 * A state-changing call must come from our own page or from no browser page at all: an Origin
 * header, when sent, must be this server's origin (the Host the request was sent to), and a
 * browser's Sec-Fetch-Site, when sent, must not say cross-site.
 */
export function originAllowed(headers: {
  origin?: string;
  host?: string;
  'sec-fetch-site'?: string;
}): boolean {
  const site = headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (!headers.host) return false;
  return origin.toLowerCase() === `http://${headers.host.toLowerCase()}`;
}

/** Constant-time comparison of a given token with the session's. */
export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearer(header: string | undefined): string | null {
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}

/** The session cookie's name: one per port, so two servers on one machine do not mix. */
export const cookieName = (port: number): string => `cs_session_${port}`;

/** The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export const sessionCookie = (port: number, token: string): string =>
  `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;

/** A cookie's value from a Cookie header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
