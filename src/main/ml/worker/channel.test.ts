// The worker's channel picks Electron's parentPort when there is one (a utility process), else the
// fork IPC channel.
import { afterEach, describe, expect, it } from 'vitest';
import { parentChannel } from './channel';

const proc = process as unknown as { parentPort?: unknown };

afterEach(() => {
  delete proc.parentPort;
});

describe('parentChannel', () => {
  it('talks through parentPort in a utility process', async () => {
    const posted: unknown[] = [];
    let deliver: (e: { data: unknown }) => void = () => {};
    proc.parentPort = {
      postMessage: (m: unknown) => posted.push(m),
      on: (_: string, l: (e: { data: unknown }) => void) => (deliver = l),
    };
    const ch = parentChannel();
    await ch.send({ type: 'ready', seq: 1 });
    expect(posted).toEqual([{ type: 'ready', seq: 1 }]);
    const got: unknown[] = [];
    ch.onMessage((m) => got.push(m));
    deliver({ data: { type: 'cancel', seq: 2 } });
    expect(got).toEqual([{ type: 'cancel', seq: 2 }]);
  });

  it('falls back to the fork IPC channel (process.send) without a parentPort', async () => {
    const p = process as unknown as { send?: unknown; connected?: boolean };
    const send = p.send;
    const connected = Object.getOwnPropertyDescriptor(process, 'connected');
    const sent: unknown[] = [];
    p.send = (m: unknown, _h: unknown, _o: unknown, cb: () => void) => (sent.push(m), cb(), true);
    Object.defineProperty(process, 'connected', { value: true, configurable: true });
    try {
      await parentChannel().send({ type: 'ready', seq: 1 });
      expect(sent).toEqual([{ type: 'ready', seq: 1 }]);
    } finally {
      p.send = send;
      if (connected) Object.defineProperty(process, 'connected', connected);
      else delete (p as { connected?: boolean }).connected;
    }
  });
});
