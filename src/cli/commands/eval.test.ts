// `caption-studio eval` on small files this test writes: the table, the JSON it writes, and the
// message for each kind of bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = 'bin/caption-studio.js';
const dir = mkdtempSync(join(tmpdir(), 'caption-studio-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, body: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
};
const run = (...args: string[]) => spawnSync('node', [bin, 'eval', ...args], { encoding: 'utf8' });

const refs = file('refs.json', {
  '1': ['A cat on a mat.', 'There is a cat on the mat'],
  '2': ['Two dogs play.', 'Dogs in a park'],
});
const cands = file('cands.json', { '1': 'A cat on the mat.', '2': 'Dogs in a park' });

describe('caption-studio eval', () => {
  it('prints the metric table and writes corpus and per-image scores as JSON', () => {
    const out = join(dir, 'out.json');
    const r = run('--refs', refs, '--cands', cands, '--json', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 images/);
    for (const label of ['BLEU-1', 'BLEU-4', 'ROUGE-L', 'CIDEr-D', 'ROUGE-1 F \\(not coco\\)'])
      expect(r.stdout).toMatch(new RegExp(`${label}\\s+\\d\\.\\d{4}`));
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.images).toBe(2);
    // Image 2's candidate equals a reference (after tokenisation): ROUGE-L 1.
    expect(json.perImage['2'].rougeL).toBe(1);
    expect(json.perImage['1'].rougeL).toBeLessThan(1);
    expect(json.corpus.rougeL).toBeCloseTo((json.perImage['1'].rougeL + 1) / 2, 12);
  });

  it('names a missing file, a file that is not JSON, and mismatched image ids', () => {
    const missing = run('--refs', join(dir, 'nope.json'), '--cands', cands);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/References file .*nope\.json does not exist/);

    const notJson = run('--refs', refs, '--cands', file('bad.json', '{"1": "a cat",'));
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(/Candidates file .*bad\.json is not valid JSON/);

    const extraCand = run('--refs', refs, '--cands', file('c3.json', { '1': 'a', '2': 'b', '3': 'c' }));
    expect(extraCand.status).toBe(1);
    expect(extraCand.stderr).toMatch(/candidate image id\(s\) have no references: "3"/);

    const missingCand = run('--refs', refs, '--cands', file('c1.json', { '1': 'a' }));
    expect(missingCand.status).toBe(1);
    expect(missingCand.stderr).toMatch(/with references have no candidate: "2"/);
  });

  it('asks for both files', () => {
    const r = run('--refs', refs);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/needs both --refs and --cands/);
  });
});
