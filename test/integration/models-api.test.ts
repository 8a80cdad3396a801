// `system.models` lists the model table (ids, presets, settings with defaults and help) through the
// API, and `train --help` is built from the same list.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/services/index';
import { MODEL_IDS, MODELS } from '../../src/main/ml/models/registry';
import { modelsHelp } from '../../src/cli/commands/train';
import type { ModelInfo } from '../../src/shared/types';
import { tempDir } from '../helpers/tmp';

let core: Core;
beforeAll(() => {
  core = createCore({ dbPath: join(tempDir('cs-models-api-'), 'library.db') });
});
afterAll(() => core.close());

describe('system.models', () => {
  it('lists every model of the table with its presets, tokenizer and documented settings', async () => {
    const r = await core.dispatch('system.models', {});
    if (!r.ok) throw new Error(r.error.message);
    const models: ModelInfo[] = r.value;
    expect(models.map((m) => m.id)).toEqual([...MODEL_IDS]);
    for (const m of models) {
      expect(m.presets.map((p) => p.name)).toEqual(['tiny', 'full']);
      expect(m.text.kind).toBe(MODELS[m.id as keyof typeof MODELS].text.kind);
      expect(m.settings.map((s) => s.key)).toEqual(
        MODELS[m.id as keyof typeof MODELS].settings.map((s) => s.key),
      );
      for (const s of m.settings) expect(s.help.length).toBeGreaterThan(5);
    }
    // the two CNN + LSTM models share dropout, with the same defaults, so a study compares attention only
    const dropout = (id: string) =>
      models.find((m) => m.id === id)!.settings.find((s) => s.key === 'dropout');
    expect(dropout('cnn-lstm')!.defaults).toEqual({ tiny: 0, full: 0.5 });
    expect(dropout('cnn-lstm-attn')!.defaults).toEqual(dropout('cnn-lstm')!.defaults);
    const bad = await core.dispatch('system.models', { verbose: true });
    expect(bad.ok).toBe(false);
  });

  it('train --help names every model, preset and setting from that list', async () => {
    const r = await core.dispatch('system.models', {});
    if (!r.ok) throw new Error(r.error.message);
    const help = modelsHelp(r.value);
    for (const m of r.value) {
      expect(help).toContain(`  ${m.id}: ${m.help}`);
      for (const p of m.presets) expect(help).toContain(`--preset ${p.name}: ${p.help}`);
      for (const s of m.settings) expect(help).toContain(`    ${s.key} (`);
    }
    expect(help).toContain('dropout (tiny 0, full 0.5)');
  });
});
