// Guardrail detection on decoded captions: collapse, eos-only, runaway repetition, and no false
// alarm on varied shapes captions (which legitimately repeat "a" three times).
import { describe, expect, it } from 'vitest';
import { captionProblems, runaway } from './guardrails';

const kinds = (cs: string[]) => captionProblems(cs).map((p) => p.kind);

describe('guardrails', () => {
  it('finds phrases repeated three times in a row, not words that merely recur', () => {
    expect(runaway('circle circle circle'.split(' '))).toBe(true);
    expect(runaway('a red a red a red square'.split(' '))).toBe(true);
    expect(runaway('a big red circle above a small blue square and a green triangle'.split(' '))).toBe(false);
  });

  it('flags collapse, eos-only and repetition, and nothing on healthy captions', () => {
    expect(kinds(['a red circle', 'a red circle', 'a red circle', 'a blue square'])).toEqual(['collapse']);
    expect(kinds(['', '', 'a red circle', ''])).toEqual(['eos-only']);
    expect(kinds(['red red red', 'a blue square', 'circle circle circle', 'a green triangle'])).toEqual([
      'repetition',
    ]);
    expect(
      kinds([
        'a red circle',
        'a blue square left of a red circle',
        'a green triangle',
        'three shapes: a x, a y and a z',
      ]),
    ).toEqual([]);
    expect(kinds(['x', 'x'])).toEqual([]); // too few images to judge
  });
});
