// captionWords / normalizeCaption: lower case, NFKC, apostrophes made plain, punctuation as separators.
import { describe, expect, it } from 'vitest';
import { captionWords, normalizeCaption } from './normalize';

describe('captionWords', () => {
  it('lower-cases and drops punctuation, keeping inner apostrophes and hyphens', () => {
    expect(captionWords('A Man’s T-shirt, red!  ')).toEqual(['a', "man's", 't-shirt', 'red']);
  });

  it('treats dangling apostrophes, dashes and emoji as separators', () => {
    expect(captionWords("the dogs' ball -- 🐶 ... 'quoted'")).toEqual(['the', 'dogs', 'ball', 'quoted']);
  });

  it('applies NFKC (full-width letters, ligatures) and keeps digits', () => {
    expect(captionWords('ＡＢＣ ﬁsh 2 cats')).toEqual(['abc', 'fish', '2', 'cats']);
  });

  it('gives nothing for an empty or punctuation-only caption', () => {
    expect(captionWords('')).toEqual([]);
    expect(captionWords(' .,;!? ')).toEqual([]);
  });

  it('normalizeCaption joins the words with single spaces', () => {
    expect(normalizeCaption('  Two   DOGS,\nplaying. ')).toBe('two dogs playing');
  });
});
