// Run ids are never reused: the caption history keeps the id of the run that drafted a caption after
// the run is deleted, so a new run takes an id above every one the library has used.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/services/index';
import { sql } from '../helpers/sql';
import { tempDir } from '../helpers/tmp';

const core = createCore({ dbPath: join(tempDir('cs-runids-'), 'library.db') });
afterAll(() => core.close());

describe('run ids', () => {
  it('are not reused after the newest run is deleted while the history still names it', () => {
    const runs = core.store.runs;
    const a = runs.create('cnn-lstm', 'tiny', {}, null);
    const b = runs.create('cnn-lstm', 'tiny', {}, null);
    expect(b).toBe(a + 1);
    // a caption drafted by run b, as the history records it
    sql(core.store)
      .prepare(
        `INSERT INTO caption_history (caption_id, image_id, kind, new_text, source, run_id, position, at)
         VALUES (1, 1, 'create', 'a red circle', 'model', ?, 0, 0)`,
      )
      .run(b);
    expect(runs.remove(b)).toBe(true);
    const c = runs.create('cnn-lstm', 'tiny', {}, null);
    expect(c).toBe(b + 1); // not b again: the history's run b stays run b
    expect(runs.remove(c)).toBe(true);
    expect(runs.remove(a)).toBe(true);
    expect(runs.create('cnn-lstm', 'tiny', {}, null)).toBe(b + 1); // c named nothing: its id is free again
  });
});
