// The parent side of the long-lived inference worker: one process, started on the first caption
// request with the same entry, protocol and spawner as training jobs, but outside the training
// queue, so a caption never waits for a run. It keeps the last three runs' models loaded (the
// Caption page compares up to three side by side); it is stopped when idle (5 minutes by default)
// or when the machine runs short of memory, and started again on the next request.
import { freemem, totalmem } from 'node:os';
import { AppError } from '../../../shared/result';
import type { CaptionArgs, GeneratedCaption } from '../../../shared/types';
import { currentSpawner, workerEntry, type WorkerProcess } from './host';
import { sequencer, type FromWorker, type ToWorker } from './protocol';

export interface InferenceOptions {
  /** Stop the worker after this long without a request (ms). */
  idleMs?: number;
  /** How often to ask `memoryShort` while idle (ms). */
  memoryCheckMs?: number;
  /** True when the loaded model should be given back to the system. */
  memoryShort?: () => boolean;
}

export interface InferenceStats {
  /** Worker processes started. */
  spawns: number;
  /** Checkpoints read and built (in any of those processes). */
  loads: number;
  /** Workers stopped because they were idle or memory was short. */
  evictions: number;
}

export interface CaptionAnswer {
  captions: GeneratedCaption[];
  /** This request loaded the checkpoint (false: the model was already loaded). */
  loaded: boolean;
}

/** Under a tenth of the machine's memory (at most 1 GiB) free. */
export const defaultMemoryShort = (): boolean => freemem() < Math.min(2 ** 30, totalmem() / 10);

type Request = { type: 'caption'; id: number; dbPath: string; args: CaptionArgs };

interface Live {
  proc: WorkerProcess;
  send: (m: Request | { type: 'stop' }) => void;
  ready: boolean;
  /** Requests made before the process said it was ready. */
  backlog: Request[];
  exited: Promise<void>;
}

interface Pending {
  live: Live;
  resolve: (a: CaptionAnswer) => void;
  reject: (e: Error) => void;
}

export class InferenceHost {
  readonly stats: InferenceStats = { spawns: 0, loads: 0, evictions: 0 };
  private live: Live | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly memoryTimer: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly memoryShort: () => boolean;
  private closed = false;

  constructor(opts: InferenceOptions = {}) {
    this.idleMs = opts.idleMs ?? 5 * 60_000;
    this.memoryShort = opts.memoryShort ?? defaultMemoryShort;
    this.memoryTimer = setInterval(() => this.checkMemory(), opts.memoryCheckMs ?? 30_000);
    this.memoryTimer.unref();
  }

  /** The worker's process id, or null when none is running. */
  get pid(): number | null {
    return this.live?.proc.pid ?? null;
  }

  caption(dbPath: string, args: CaptionArgs): Promise<CaptionAnswer> {
    if (this.closed) return Promise.reject(new AppError('conflict', 'The app is closing.'));
    this.clearIdle();
    const live = (this.live ??= this.spawn());
    const id = this.nextId++;
    const msg: Request = { type: 'caption', id, dbPath, args };
    return new Promise<CaptionAnswer>((resolve, reject) => {
      this.pending.set(id, { live, resolve, reject });
      if (live.ready) live.send(msg);
      else live.backlog.push(msg);
    });
  }

  /** Stops the worker now if it has nothing to answer (idle or memory eviction). */
  evict(): boolean {
    if (!this.live || this.pending.size > 0) return false;
    this.stats.evictions++;
    this.stop();
    return true;
  }

  /** Stops the worker (asked politely, killed if it has not gone within 2 s). */
  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.memoryTimer);
    this.clearIdle();
    const exited = this.live?.exited ?? Promise.resolve();
    this.stop();
    return exited;
  }

  private stop(): void {
    const live = this.live;
    if (!live) return;
    this.live = null;
    this.clearIdle();
    live.send({ type: 'stop' });
    const kill = setTimeout(() => live.proc.kill(), 2000);
    kill.unref();
    void live.exited.then(() => clearTimeout(kill));
  }

  private spawn(): Live {
    const { entry, execArgv } = workerEntry();
    const proc = currentSpawner()(entry, execArgv);
    this.stats.spawns++;
    const live: Live = {
      proc,
      send: sequencer<ToWorker>((m) => proc.post(m)),
      ready: false,
      backlog: [],
      exited: new Promise((resolve) => proc.onExit(() => resolve())),
    };
    proc.onMessage((m: FromWorker) => {
      if (m.type === 'ready') {
        live.ready = true;
        for (const b of live.backlog.splice(0)) live.send(b);
      } else if (m.type === 'captions' || m.type === 'failed') this.answer(m);
    });
    proc.onExit((code, signal) => {
      if (this.live === live) this.live = null;
      // Requests still waiting on this process get no answer: say so rather than wait forever.
      for (const [id, p] of this.pending) {
        if (p.live !== live) continue;
        this.pending.delete(id);
        p.reject(
          new AppError('internal', `The caption worker stopped (${signal ?? code}) without an answer.`),
        );
      }
    });
    return live;
  }

  private answer(m: Extract<FromWorker, { type: 'captions' } | { type: 'failed' }>): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'captions') {
      if (m.loaded) this.stats.loads++;
      p.resolve({ captions: m.captions, loaded: m.loaded });
    } else p.reject(new AppError(m.error.code, m.error.message, m.error.details));
    if (this.pending.size === 0) this.armIdle();
  }

  private armIdle(): void {
    this.clearIdle();
    if (this.memoryShort()) {
      this.evict();
      return;
    }
    this.idleTimer = setTimeout(() => this.evict(), this.idleMs);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private checkMemory(): void {
    if (this.live && this.pending.size === 0 && this.memoryShort()) this.evict();
  }
}
