// The Electron app's trust decisions, with plain objects standing in for Electron's events.
import { describe, expect, it } from 'vitest';
import {
  isAppUrl,
  isTrustedSender,
  parseMediaUrl,
  permissionAllowed,
  type AppPage,
  type SenderLike,
} from './policy';

const built: AppPage = { indexFile: '/opt/caption-studio/out/renderer/index.html' };
const dev: AppPage = { devUrl: 'http://localhost:5173', indexFile: built.indexFile };

describe('our page, matched exactly', () => {
  it('trusts the dev URL itself, not a prefix of it', () => {
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/#/runs', dev)).toBe(true);
    for (const url of [
      'http://localhost:51730/',
      'http://localhost:5173.evil.example/',
      'http://localhost:5173@evil.example/',
      'https://localhost:5173/',
      'http://localhost:5173/other.html',
      'file:///opt/caption-studio/out/renderer/index.html',
      'not a url',
    ])
      expect(isAppUrl(url, dev), url).toBe(false);
  });

  it('trusts the built index.html only, not any file:// page', () => {
    expect(isAppUrl('file:///opt/caption-studio/out/renderer/index.html', built)).toBe(true);
    expect(isAppUrl('file:///opt/caption-studio/out/renderer/index.html#/library', built)).toBe(true);
    for (const url of [
      'file:///home/me/Downloads/evil.html',
      'file:///opt/caption-studio/out/renderer/other.html',
      'http://localhost:5173/',
    ])
      expect(isAppUrl(url, built), url).toBe(false);
  });
});

describe('IPC senders', () => {
  const top = { url: 'file:///opt/caption-studio/out/renderer/index.html', parent: null };
  const event = (frame: SenderLike['senderFrame'], id = 7): SenderLike => ({
    sender: { id },
    senderFrame: frame,
  });

  it('trusts the top frame of our window showing our page', () => {
    expect(isTrustedSender(event(top), 7, built)).toBe(true);
  });

  it('refuses a sub-frame (even one showing our page), another window, another page, a gone frame', () => {
    expect(isTrustedSender(event({ ...top, parent: top }), 7, built)).toBe(false);
    expect(isTrustedSender(event(top, 8), 7, built)).toBe(false);
    expect(isTrustedSender(event({ url: 'file:///tmp/evil.html', parent: null }), 7, built)).toBe(false);
    expect(isTrustedSender(event({ url: 'http://localhost:51730/', parent: null }), 7, dev)).toBe(false);
    expect(isTrustedSender(event(null), 7, built)).toBe(false);
  });
});

describe('permissions', () => {
  it('are denied by default, to our page as to any other', () => {
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'hid',
      'serial',
      'usb',
      'openExternal',
    ])
      for (const url of [
        'file:///opt/caption-studio/out/renderer/index.html',
        'https://evil.example/',
        undefined,
      ])
        expect(permissionAllowed(p, url, built), `${p} ${url}`).toBe(false);
    expect(permissionAllowed('fullscreen', 'http://localhost:5173', dev)).toBe(false);
  });
});

describe('media:// URLs', () => {
  it('name a library image by kind and id only', () => {
    expect(parseMediaUrl('media://image/thumb/12')).toEqual({ kind: 'thumb', id: 12 });
    expect(parseMediaUrl('media://image/full/3')).toEqual({ kind: 'full', id: 3 });
    for (const url of [
      'media://image/full/0',
      'media://image/full/../1',
      'media://image/raw/1',
      'media://image/full/1?x',
    ])
      expect(parseMediaUrl(url), url).toBeNull();
  });
});
