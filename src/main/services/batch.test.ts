// The find & replace matcher: literal by default, regex on request, whole words, case.
import { describe, expect, it } from 'vitest';
import { buildMatcher, replaceAll } from './batch';

const run = (
  text: string,
  find: string,
  replace: string,
  opts: { regex?: boolean; caseSensitive?: boolean; wholeWord?: boolean } = {},
) => replaceAll(text, buildMatcher({ find, ...opts }), replace, opts.regex ?? false);

describe('find & replace matching', () => {
  it('treats the search text literally unless asked for a regex', () => {
    expect(run('a dog. a cat.', '.', '!')).toBe('a dog! a cat!');
    expect(run('cost $5', '$5', '$$6')).toBe('cost $$6');
    expect(run('dog dogs', 'dog(s)?', 'cat$1', { regex: true })).toBe('cat cats');
  });

  it('ignores case unless asked, and keeps whole words whole', () => {
    expect(run('Dog and dog', 'dog', 'cat')).toBe('cat and cat');
    expect(run('Dog and dog', 'dog', 'cat', { caseSensitive: true })).toBe('Dog and cat');
    expect(run('a cat on a catamaran', 'cat', 'dog', { wholeWord: true })).toBe('a dog on a catamaran');
    expect(run('un café, cafés', 'café', 'bar', { wholeWord: true })).toBe('un bar, cafés');
  });

  it('says what is wrong with a bad pattern or an empty search', () => {
    expect(() => buildMatcher({ find: '(', regex: true })).toThrow(/not a valid regular expression/);
    expect(() => buildMatcher({ find: '' })).toThrow(/Type the text to find/);
  });
});
