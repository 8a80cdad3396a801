// Caption line escaping: plain captions are untouched, the rest round trip through a JSON literal.
import { describe, expect, it } from 'vitest';
import { decodeCaptionLine, encodeCaptionLine, LINE_BREAK } from './lines';

const roundTrip = (c: string) => {
  const line = encodeCaptionLine(c);
  expect(line.split(LINE_BREAK)).toHaveLength(1);
  return decodeCaptionLine(line.trim());
};

describe('caption lines', () => {
  it('writes ordinary captions as they are, backslashes and tabs included', () => {
    for (const c of [
      'A dog runs .',
      'artist \\(name\\), 1girl',
      'tab\there',
      'naïve café 🐱',
      '"Stop," she said',
    ])
      expect(encodeCaptionLine(c)).toBe(c);
  });

  it('quotes what a line cannot carry and reads it back exactly', () => {
    const hard = [
      'two\nlines',
      'crlf\r\nend',
      'lone\rcr',
      ' padded ',
      '',
      '"quoted"',
      'back\\slash\nnew',
      '\u2028sep\t',
    ];
    for (const c of hard) expect(roundTrip(c)).toBe(c);
    expect(encodeCaptionLine('two\nlines')).toBe('"two\\nlines"');
    // A NUL (in a caption from before the caption text rule) is escaped, so the file stays text.
    expect(encodeCaptionLine('nul\u0000here')).toBe('"nul\\u0000here"');
    expect(roundTrip('nul\u0000here')).toBe('nul\u0000here');
  });

  it('reads a line that only looks quoted as itself', () => {
    expect(decodeCaptionLine('"a" and "b"')).toBe('"a" and "b"');
    expect(decodeCaptionLine('"bad \\q"')).toBe('"bad \\q"');
    expect(decodeCaptionLine('"')).toBe('"');
  });
});
