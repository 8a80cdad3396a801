// The core: opens the store and builds every service; `dispatch` is the one entry for all
// transports (IPC, HTTP, CLI): it validates arguments and turns errors into data.
import { SCHEMA_VERSION } from '../db/migrations/index';
import { openStore, type Store } from '../db/index';
import { libraryError } from '../db/errors';
import type { ArgsOf, Method, ResultOf } from '../../shared/api';
import { fail, ok, toErrorData, type Result } from '../../shared/result';
import type { BackendInfo } from '../../shared/types';
import { nodeLoader, selectBackend } from '../ml/backend';
import { describeModels } from '../ml/models/registry';
import { EventBus } from './events';
import { captionsService, collectionsService, libraryService } from './library';
import { Jobs, importsService } from './imports';
import { describeIssues, schemas } from './schemas';
import { batchService } from './batch';
import { discardBatchesOf, uploadsService } from './uploads';
import { mediaResolver, type MediaResolver } from './media';
import { trainingService } from './training';
import { runsService } from './runs';
import type { InferenceHost } from '../ml/worker/inference';
import { datasetsService } from './datasets';
import { healthService } from './health';
import { draftsService } from './drafts';
import { diagnostics } from './diagnostics';
import { captionedService } from './captioned';

export const APP_VERSION = '0.1.0';

export interface CoreOptions {
  dbPath: string;
  nativeBinding?: string;
  electronVersion?: string | null;
}

type Handler<M extends Method> = (args: ArgsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;
export type HandlerMap = { [M in Method]: Handler<M> };

export interface Core {
  store: Store;
  bus: EventBus;
  handlers: HandlerMap;
  dispatch<M extends Method>(method: M, args: unknown): Promise<Result<ResultOf<M>>>;
  /** The file behind a library image or its thumbnail, for the image route and media:// protocol. */
  media: MediaResolver;
  /** The inference worker (its process id and load counters). */
  inference: InferenceHost;
  close(): void;
}

export function createCore(opts: CoreOptions): Core {
  const store = openStore(opts.dbPath, { nativeBinding: opts.nativeBinding });
  const bus = new EventBus();
  let backend: Promise<BackendInfo> | null = null;
  const jobs = new Jobs();
  const training = trainingService(store, bus);
  const handlers: HandlerMap = {
    'system.version': () => ({
      app: APP_VERSION,
      schema: SCHEMA_VERSION,
      node: process.versions.node,
      electron: opts.electronVersion ?? null,
      dbPath: store.path,
    }),
    // The backend is chosen once, on first ask, for inference (the worker chooses for training).
    'system.backend': () => (backend ??= selectBackend(nodeLoader(), 'inference')),
    'system.models': () => describeModels(),
    'system.diagnostics': async () =>
      diagnostics(store, {
        version: handlers['system.version']({}) as ResultOf<'system.version'>,
        backend: await handlers['system.backend']({}),
        inference: training.inference,
      }),
    ...libraryService(store, bus),
    ...collectionsService(store),
    ...captionsService(store, bus),
    ...batchService(store, bus, jobs),
    ...importsService(store, bus, jobs),
    ...datasetsService(store, bus, jobs),
    ...healthService(store, bus, jobs),
    ...uploadsService(store),
    ...training.handlers,
    ...runsService(store, bus, training.active),
    ...draftsService(store, bus, jobs, training.inference),
    ...captionedService(store, bus),
  };
  // Upload batches are temporary: once imported (or captioned), what is not a library image goes.
  const importFolder = handlers['import.folder'];
  handlers['import.folder'] = async (a) => {
    try {
      return await importFolder(a);
    } finally {
      discardBatchesOf(store, [a.path]);
    }
  };
  const generate = handlers['caption.generate'];
  handlers['caption.generate'] = async (a) => {
    try {
      return await generate(a);
    } finally {
      discardBatchesOf(store, a.paths ?? []);
    }
  };
  const compare = handlers['caption.compare'];
  handlers['caption.compare'] = async (a) => {
    try {
      return await compare(a);
    } finally {
      discardBatchesOf(store, a.paths);
    }
  };
  // A saved photo becomes a library image and stays; the rest of its upload batch goes.
  const save = handlers['caption.save'];
  handlers['caption.save'] = async (a) => {
    try {
      return await save(a);
    } finally {
      discardBatchesOf(store, [a.path]);
    }
  };
  return {
    store,
    bus,
    handlers,
    async dispatch(method, args) {
      const schema = schemas[method];
      if (!schema) return fail('invalid_argument', `Unknown method '${String(method)}'.`);
      const parsed = schema.safeParse(args ?? {});
      if (!parsed.success)
        return fail('invalid_argument', `Bad arguments for ${method}: ${describeIssues(parsed.error)}`);
      try {
        const handler = handlers[method] as Handler<typeof method>;
        return ok(await handler(parsed.data as ArgsOf<typeof method>));
      } catch (e) {
        return { ok: false, error: toErrorData(libraryError(e, store.path) ?? e) };
      }
    },
    media: mediaResolver(store),
    inference: training.inference,
    close: () => {
      training.close();
      store.close();
    },
  };
}
