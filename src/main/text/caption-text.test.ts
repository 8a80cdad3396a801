// The caption text rule: what it finds wrong, and how imports repair it (trim, U+FFFD for a lone
// surrogate, control characters removed) or refuse it (over the length limit).
import { describe, expect, it } from 'vitest';
import { captionProblems, cleanCaption, describeProblems, MAX_CAPTION_CHARS } from './caption-text';

describe('captionProblems', () => {
  it('accepts ordinary and hard but valid text: inner line breaks, tabs, emoji, bidi marks', () => {
    for (const t of [
      'a dog',
      'two\nlines\r\nand\rmore',
      'tab\there',
      '🐱 👨‍👩‍👧',
      'a\u202Eb',
      'x'.repeat(MAX_CAPTION_CHARS),
    ])
      expect(captionProblems(t), JSON.stringify(t.slice(0, 20))).toEqual([]);
  });

  it('finds lone surrogates, control characters, edge spaces and over-long text', () => {
    expect(captionProblems('bad \uD800 high')).toEqual(['surrogate']);
    expect(captionProblems('bad \uDC00 low')).toEqual(['surrogate']);
    expect(captionProblems('nul\u0000inside')).toEqual(['control']);
    expect(captionProblems('bell\u0007 and c1\u0085')).toEqual(['control']);
    expect(captionProblems(' padded')).toEqual(['edge-space']);
    expect(captionProblems('ends with a line break\n')).toEqual(['edge-space']);
    expect(captionProblems('x'.repeat(MAX_CAPTION_CHARS + 1))).toEqual(['too-long']);
    expect(describeProblems(['control', 'edge-space'])).toMatch(/control characters .* and starts or ends/);
  });
});

describe('cleanCaption', () => {
  it('trims, repairs and says so; refuses over-long text', () => {
    expect(cleanCaption('  a table. \n')).toEqual({ text: 'a table.', trimmed: true, repairs: [] });
    expect(cleanCaption('keep\ninner')).toEqual({ text: 'keep\ninner', trimmed: false, repairs: [] });
    const r = cleanCaption('a\u0000b \uD800c');
    expect(r.text).toBe('ab \uFFFDc');
    expect(r.repairs).toHaveLength(2);
    expect(cleanCaption('y'.repeat(MAX_CAPTION_CHARS + 1)).text).toBeNull();
    expect(cleanCaption(` ${'y'.repeat(MAX_CAPTION_CHARS)} `).text).toHaveLength(MAX_CAPTION_CHARS);
  });
});
