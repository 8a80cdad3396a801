// Serve mode's request checks on plain values: Host names (DNS rebinding), the addresses allowed
// with --allow-remote, Origin of calls, the session cookie.
import { describe, expect, it } from 'vitest';
import { allowedHostNames, cookieValue, hostAllowed, hostName, originAllowed, sessionCookie } from './guard';

describe('Host header', () => {
  it('parses names, IPv4 and bracketed IPv6 with or without a port', () => {
    expect(hostName('LocalHost:8080')).toBe('localhost');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName('[::1]:80')).toBe('::1');
    expect(hostName('example.com.:1')).toBe('example.com');
    for (const bad of ['', undefined, 'a b', 'x:y', '[::1', 'evil.com/x'])
      expect(hostName(bad), String(bad)).toBeNull();
  });

  it('allows loopback names, and the served address only with --allow-remote', () => {
    const local = allowedHostNames('127.0.0.1', false);
    for (const h of ['localhost:1', '127.0.0.1:1', '127.3.2.1', '[::1]:1'])
      expect(hostAllowed(h, local), h).toBe(true);
    for (const h of ['evil.example', '127.0.0.1.nip.io', 'localhost.evil.example', '10.0.0.5:1'])
      expect(hostAllowed(h, local), h).toBe(false);
    const remote = allowedHostNames('10.0.0.5', true);
    expect(hostAllowed('10.0.0.5:8080', remote)).toBe(true);
    expect(hostAllowed('10.0.0.6:8080', remote)).toBe(false);
    const any = allowedHostNames('0.0.0.0', true, () => ['192.168.1.20', 'fe80::1']);
    expect(hostAllowed('192.168.1.20:9', any)).toBe(true);
    expect(hostAllowed('[fe80::1]:9', any)).toBe(true);
    expect(hostAllowed('0.0.0.0:9', any)).toBe(false);
    expect(hostAllowed('gpu-box.example:9', any)).toBe(false);
  });
});

describe('Origin of a call', () => {
  it("must be the server's own when a browser sends one", () => {
    expect(originAllowed({ host: '127.0.0.1:5000', origin: 'http://127.0.0.1:5000' })).toBe(true);
    expect(originAllowed({ host: '127.0.0.1:5000' })).toBe(true); // curl, scripts
    expect(originAllowed({ host: '127.0.0.1:5000', origin: 'http://127.0.0.1:5001' })).toBe(false);
    expect(originAllowed({ host: '127.0.0.1:5000', origin: 'null' })).toBe(false);
    expect(originAllowed({ host: '127.0.0.1:5000', 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(originAllowed({ host: '127.0.0.1:5000', 'sec-fetch-site': 'same-origin' })).toBe(true);
  });
});

describe('session cookie', () => {
  it('is HttpOnly and SameSite=Strict, named per port', () => {
    const c = sessionCookie(5000, 'tok');
    expect(c).toMatch(/^cs_session_5000=tok; /);
    expect(c).toMatch(/HttpOnly/);
    expect(c).toMatch(/SameSite=Strict/);
    expect(cookieValue('a=1; cs_session_5000=tok; b=2', 'cs_session_5000')).toBe('tok');
    expect(cookieValue('cs_session_5001=tok', 'cs_session_5000')).toBeNull();
  });
});
