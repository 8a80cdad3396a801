// The parent side of the worker: forks one process per job (tsx's loader when running from source),
// speaks the protocol, and a queue that runs one heavy job at a time.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../../shared/result';
import { sequencer, type FromWorker, type Job, type ToWorker } from './protocol';

/** The worker entry and the node flags it needs: the .ts source through tsx, or a built .js file. */
export function workerEntry(): { entry: string; execArgv: string[] } {
  const ts = fileURLToPath(new URL('./main.ts', import.meta.url));
  // tsx by absolute URL: a bare 'tsx' would be resolved from the current folder, not from ours.
  if (existsSync(ts)) return { entry: ts, execArgv: ['--import', import.meta.resolve('tsx')] };
  const js = fileURLToPath(new URL('./worker.js', import.meta.url));
  return { entry: js, execArgv: [] };
}

export interface WorkerExit {
  /** The last 'done' or 'error' message, or null when the process died without one. */
  final: Extract<FromWorker, { type: 'done' } | { type: 'error' }> | null;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerHandle {
  readonly pid: number;
  cancel(): void;
  kill(): void;
  readonly exited: Promise<WorkerExit>;
}

/** A started worker process, whatever started it (child_process.fork, or Electron's utilityProcess). */
export interface WorkerProcess {
  readonly pid: number;
  post(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  kill(): void;
}

export type WorkerSpawner = (entry: string, execArgv: string[]) => WorkerProcess;

/** The CLI's and the server's way: a Node child process with an IPC channel. */
export const forkSpawner: WorkerSpawner = (entry, execArgv) => {
  const child: ChildProcess = fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    get pid() {
      return child.pid ?? -1;
    },
    post: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (l) => child.on('message', l),
    onExit: (l) => child.on('exit', l),
    kill: () => child.kill('SIGKILL'),
  };
};

let spawner: WorkerSpawner = forkSpawner;

/** The Electron app installs a utilityProcess spawner at start-up; everything else keeps fork. */
export function setWorkerSpawner(s: WorkerSpawner): void {
  spawner = s;
}

/** The spawner in use (the inference worker starts its process the same way as jobs). */
export const currentSpawner = (): WorkerSpawner => spawner;

/** Starts a worker process for one job; `onMessage` sees every message in order. */
export function startWorker(job: Job, onMessage: (m: FromWorker) => void = () => {}): WorkerHandle {
  const { entry, execArgv } = workerEntry();
  const child = spawner(entry, execArgv);
  const send = sequencer<ToWorker>((m) => child.post(m));
  let final: WorkerExit['final'] = null;
  let lastSeq = 0;
  child.onMessage((m) => {
    if (m.seq !== lastSeq + 1) process.emitWarning(`worker message ${m.seq} after ${lastSeq}: one was lost`);
    lastSeq = m.seq;
    if (m.type === 'ready') send({ type: 'start', job });
    if (m.type === 'done' || m.type === 'error') final = m;
    onMessage(m);
  });
  const exited = new Promise<WorkerExit>((resolve) =>
    child.onExit((code, signal) => resolve({ final, code, signal })),
  );
  return {
    get pid() {
      return child.pid;
    },
    cancel: () => send({ type: 'cancel' }),
    kill: () => child.kill(),
    exited,
  };
}

/**
 * Runs jobs one at a time in order. A queued job can be dropped before it starts: its promise
 * rejects at once with a `cancelled` error and it leaves the line, so the jobs behind it move up.
 */
export class JobQueue {
  private readonly line: Array<{ id: string; start: () => void; reject: (e: unknown) => void }> = [];
  private active: string | null = null;

  get running(): string | null {
    return this.active;
  }

  isQueued(id: string): boolean {
    return this.line.some((j) => j.id === id);
  }

  /** 1 for the job that starts next, 2 for the one after it…; null when the job is not waiting. */
  position(id: string): number | null {
    const i = this.line.findIndex((j) => j.id === id);
    return i < 0 ? null : i + 1;
  }

  enqueue<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.active = id;
        // A microtask later, as a job never starts inside the call that queued it.
        void Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => {
            this.active = null;
            this.next();
          });
      };
      this.line.push({ id, start, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.active === null) this.line.shift()?.start();
  }

  /** Drops a job that has not started; false when it is running or unknown. */
  drop(id: string): boolean {
    const i = this.line.findIndex((j) => j.id === id);
    if (i < 0) return false;
    const [job] = this.line.splice(i, 1);
    job.reject(new AppError('cancelled', `Job ${id} was cancelled before it started.`));
    return true;
  }
}
