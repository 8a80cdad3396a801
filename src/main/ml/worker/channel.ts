// The worker's side of the channel to its parent, whichever way it was started: child_process.fork
// (CLI, server: process.send / 'message' / 'disconnect') or Electron's utilityProcess
// (process.parentPort). Free of Electron: the utility process API is only duck-typed here.
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  /** Electron's MessagePortMain emits 'close' when the other end goes away. */
  on(event: 'close', listener: () => void): void;
  postMessage(message: unknown): void;
}

/** How often the worker checks that its parent process is still the one that started it. */
export const PARENT_POLL_MS = 1000;

/**
 * Calls `listener` once the parent process is gone, by whichever sign comes first: the channel's own
 * event, or `process.ppid` changing (a killed parent's children are re-parented, e.g. to init).
 */
function watchParent(onChannelGone: (l: () => void) => void, listener: () => void): void {
  const ppid = process.ppid;
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    clearInterval(poll);
    listener();
  };
  const poll = setInterval(() => process.ppid !== ppid && fire(), PARENT_POLL_MS);
  poll.unref();
  onChannelGone(fire);
}

export interface ParentChannel {
  /** Resolves once the message is handed over, so the process can exit after its last one. */
  send(message: unknown): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the parent goes away (channel closed, or the parent process replaced). */
  onParentGone(listener: () => void): void;
}

export function parentChannel(): ParentChannel {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (port)
    return {
      send: async (m) => port.postMessage(m),
      onMessage: (l) => port.on('message', (e) => l(e.data)),
      onParentGone: (l) => watchParent((fire) => port.on('close', fire), l),
    };
  return {
    send: (m) =>
      new Promise((resolve) =>
        process.connected ? process.send!(m, undefined, {}, () => resolve()) : resolve(),
      ),
    onMessage: (l) => process.on('message', l),
    onParentGone: (l) => watchParent((fire) => process.on('disconnect', fire), l),
  };
}
