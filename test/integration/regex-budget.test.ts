// Find & replace with a user's regular expression: a catastrophic pattern (`^(a|a)+$` over 30+
// characters backtracks exponentially) returns a clear error within the time budget while the
// event loop keeps running (a timer keeps ticking), and `jobs.cancel` stops it early. Ordinary
// patterns work as before.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/main/services/index';
import { REGEX_BUDGET_MS } from '../../src/main/text/regex-worker';
import { tempDir } from '../helpers/tmp';
import { call, openLibrary, writeImages } from './formats-fixtures';

const root = tempDir();
let core: Core;

beforeAll(async () => {
  const dir = join(root, 'photos');
  await writeImages(dir, ['a.jpg']);
  core = openLibrary(root, 'lib');
  await call(core, 'import.folder', { path: dir });
  await call(core, 'captions.add', { imageId: 1, text: 'a'.repeat(34) + 'b', status: 'draft' });
  await call(core, 'captions.add', { imageId: 1, text: 'two dogs and a dog', status: 'draft' });
});

afterAll(() => core.close());

/** Runs `f` while counting the ticks of a 20 ms timer. */
async function ticking<T>(f: () => Promise<T>): Promise<{ value: T; ticks: number; ms: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  const t0 = Date.now();
  try {
    const value = await f();
    return { value, ticks, ms: Date.now() - t0 };
  } finally {
    clearInterval(timer);
  }
}

describe('find & replace with a catastrophic regular expression', () => {
  it('fails with a clear error within the budget, without blocking the event loop', async () => {
    const {
      value: r,
      ticks,
      ms,
    } = await ticking(() =>
      core.dispatch('captions.findReplace', {
        find: '^(a|a)+$',
        replace: 'x',
        regex: true,
        scope: { kind: 'all' },
        apply: true,
      }),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(!r.ok && r.error.message).toMatch(
      /took more than \d+ s .*was stopped.*Simplify it; nothing was changed/,
    );
    // The budget, plus the worker's start-up; far less than the pattern's running time (minutes).
    expect(ms).toBeLessThan(REGEX_BUDGET_MS + 20_000);
    // The timer kept firing while the pattern ran: the main thread was free.
    expect(ticks).toBeGreaterThan((REGEX_BUDGET_MS / 20) * 0.25);
    expect(core.store.captions.ofImage(1).map((c) => c.text)).toContain('a'.repeat(34) + 'b');
  });

  it('is cancelled through jobs.cancel', async () => {
    const pending = core.dispatch('captions.findReplace', {
      find: '^(a|a)+$',
      replace: 'x',
      regex: true,
      scope: { kind: 'all' },
      apply: false,
      jobId: 'fr-1',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await call(core, 'jobs.cancel', { jobId: 'fr-1' })).toEqual({ cancelled: true });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('still replaces with ordinary patterns and capture groups', async () => {
    const r = await call(core, 'captions.findReplace', {
      find: '(\\w+) dogs?',
      replace: '$1 cats',
      regex: true,
      scope: { kind: 'all' },
      apply: false,
    });
    expect(r.changes.map((c) => c.after)).toEqual(['two cats and a cats']);
  });
});
