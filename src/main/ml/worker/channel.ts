// The worker's side of the channel to its parent, whichever way it was started: child_process.fork
// (CLI, server: process.send / 'message' / 'disconnect') or Electron's utilityProcess
// (process.parentPort). Free of Electron: the utility process API is only duck-typed here.
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export interface ParentChannel {
  /** Resolves once the message is handed over, so the process can exit after its last one. */
  send(message: unknown): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the parent goes away (fork only: a utility process ends with its app). */
  onParentGone(listener: () => void): void;
}

export function parentChannel(): ParentChannel {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (port)
    return {
      send: async (m) => port.postMessage(m),
      onMessage: (l) => port.on('message', (e) => l(e.data)),
      onParentGone: () => {},
    };
  return {
    send: (m) =>
      new Promise((resolve) =>
        process.connected ? process.send!(m, undefined, {}, () => resolve()) : resolve(),
      ),
    onMessage: (l) => process.on('message', l),
    onParentGone: (l) => process.on('disconnect', l),
  };
}
