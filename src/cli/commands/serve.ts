// `caption-studio serve`: the app and its API over HTTP on 127.0.0.1 with a random token. The library
// lock is taken before the library is opened (opening migrates it and marks orphaned runs).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore } from '../common';
import { acquireLibraryLock } from '../../main/db/lock';
import type { Core } from '../../main/services/index';
import { defaultDbPath } from '../../main/services/paths';
import { cleanStaleUploads } from '../../main/services/uploads';
import { startServer } from '../../main/server/server';

const packageRoot = resolve(import.meta.dirname, '..', '..', '..');

export const serve: Command = {
  name: 'serve',
  summary: 'Serve the app and its API in your browser (127.0.0.1, random token)',
  usage:
    'serve [--port N (0 = any free)] [--db FILE] [--host ADDR --allow-remote] [--root DIR]… [--renderer DIR]\n' +
    '  --root DIR   a folder the API may read or write files in (repeatable); with --allow-remote, file\n' +
    '               paths outside every --root (and the library uploads folder) are refused',
  async run(argv) {
    const { values } = parse(
      argv,
      {
        ...dbOption,
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        'allow-remote': { type: 'boolean' },
        root: { type: 'string', multiple: true },
        renderer: { type: 'string' },
      },
      false,
    );
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port must be 0..65535, not ${values.port}`);
    const rendererDir = values.renderer ?? join(packageRoot, 'out', 'renderer');
    if (!existsSync(join(rendererDir, 'index.html'))) {
      console.error(
        `The app is not built (${rendererDir}/index.html is missing): run \`npm run build\` first.`,
      );
      return 1;
    }
    const release = acquireLibraryLock(values.db ?? defaultDbPath());
    let core: Core;
    try {
      core = openCore(values.db);
    } catch (e) {
      release();
      throw e;
    }
    try {
      cleanStaleUploads(core.store);
      const server = await startServer({
        core,
        rendererDir,
        host: values.host,
        port,
        allowRemote: values['allow-remote'],
        roots: values.root,
      });
      console.log(`Caption Studio is serving ${core.store.path}`);
      if (values['allow-remote'] || values.root?.length)
        console.log(
          `File paths are confined to: ${[...(values.root ?? []), 'the uploads folder'].join(', ')}`,
        );
      console.log(`Open: ${server.url}`);
      await new Promise<void>((done) => {
        const stop = () => done();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      return 0;
    } finally {
      core.close();
      release();
    }
  },
};
