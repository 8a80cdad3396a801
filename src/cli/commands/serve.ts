// `caption-studio serve`: the app and its API over HTTP on 127.0.0.1 with a random token.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../command';
import { parse, UsageError } from '../command';
import { dbOption, openCore } from '../common';
import { acquireLibraryLock } from '../../main/db/lock';
import { startServer } from '../../main/server/server';

const packageRoot = resolve(import.meta.dirname, '..', '..', '..');

export const serve: Command = {
  name: 'serve',
  summary: 'Serve the app and its API in your browser (127.0.0.1, random token)',
  usage: 'serve [--port N (0 = any free)] [--db FILE] [--host ADDR --allow-remote] [--renderer DIR]',
  async run(argv) {
    const { values } = parse(
      argv,
      {
        ...dbOption,
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        'allow-remote': { type: 'boolean' },
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
    const core = openCore(values.db);
    const release = acquireLibraryLock(core.store.path);
    try {
      const server = await startServer({
        core,
        rendererDir,
        host: values.host,
        port,
        allowRemote: values['allow-remote'],
      });
      console.log(`Caption Studio is serving ${core.store.path}`);
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
