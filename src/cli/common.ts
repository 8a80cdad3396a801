// Options and helpers shared by the commands that open a library: --db, a progress bar.
import { createCore, type Core } from '../main/services/index';
import { defaultDbPath } from '../main/services/paths';

export const dbOption = { db: { type: 'string' } } as const;

/** Opens the core on --db FILE or the default library. */
export function openCore(db: string | undefined): Core {
  return createCore({ dbPath: db ?? defaultDbPath() });
}

/** A one-line progress bar on stderr when it is a terminal, else a line every 10%. */
export function progressBar(label: string): { update(done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  return {
    update(done, total) {
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      if (tty) {
        const width = 30;
        const fill = Math.round(frac * width);
        process.stderr.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total}`);
      } else {
        const decile = Math.floor(frac * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          process.stderr.write(`${label}: ${done}/${total}\n`);
        }
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
