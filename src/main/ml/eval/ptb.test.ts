// cocoTokenize reproduces what coco-caption's tokenisation (Stanford PTBTokenizer -preserveLines
// -lowerCase, then ptbtokenizer.py's PUNCTUATIONS filter) leaves of ordinary English captions.
// Each case names the PTBLexer.flex rule or ptbtokenizer.py line that gives the expected tokens.
import { describe, expect, it } from 'vitest';
import { americanize } from './americanize';
import { cocoTokenize } from './ptb';

describe('cocoTokenize', () => {
  it('lower-cases and drops the punctuation in ptbtokenizer.py PUNCTUATIONS', () => {
    // "." "," "?" "!" ":" ";" "-" "--" "..." and quotes (`` '' ` ') are removed after tokenising.
    expect(cocoTokenize('A Dog, running; fast: really?! No - yes -- "ok" ... `x\'')).toEqual([
      'a',
      'dog',
      'running',
      'fast',
      'really',
      '?!', // [?!]+ is one token, and "?!" is not in PUNCTUATIONS
      'no',
      'yes',
      'ok',
      'x',
    ]);
  });

  it("splits clitics the PTB way: n't, 's, 're, 'm, 'll, 'd; \"cannot\" → can not", () => {
    // {SWORD}/{SREDAUX}: do|n't, ca|n't, wo|n't; {WORD}/{REDAUX}: man|'s, we|'re, i|'m.
    expect(cocoTokenize("Don't can't won't the man's we're I'm it'll she'd cannot")).toEqual([
      'do',
      "n't",
      'ca',
      "n't",
      'wo',
      "n't",
      'the',
      'man',
      "'s",
      'we',
      "'re",
      'i',
      "'m",
      'it',
      "'ll",
      'she',
      "'d",
      'can',
      'not',
    ]);
    // A curly apostrophe is normalised to ' (latexQuotes); a plural possessive apostrophe is dropped.
    expect(cocoTokenize('the dog’s toys and the dogs’ bowls')).toEqual([
      'the',
      'dog',
      "'s",
      'toys',
      'and',
      'the',
      'dogs',
      'bowls',
    ]);
  });

  it('keeps hyphenated words, numbers with . , : and acronyms whole', () => {
    // THING joins hyphenated parts; NUMBER allows [.:,] between digits; ACRONYM "U.S." keeps its dots.
    expect(cocoTokenize('A 2-year-old in a t-shirt, 3.5 feet, 1,000 people at 10:30 in the U.S.')).toEqual([
      'a',
      '2-year-old',
      'in',
      'a',
      't-shirt',
      '3.5',
      'feet',
      '1,000',
      'people',
      'at',
      '10:30',
      'in',
      'the',
      'u.s.',
    ]);
  });

  it('turns brackets into -lrb- / -rrb- / -lcb- / -rcb-, which coco-caption keeps', () => {
    // PTBLexer maps ( ) { } to -LRB- -RRB- -LCB- -RCB-; -lowerCase makes them "-lrb-" …, and the
    // PUNCTUATIONS list only holds the upper-case forms, so they survive as words.
    expect(cocoTokenize('a cat (black) {x}')).toEqual([
      'a',
      'cat',
      '-lrb-',
      'black',
      '-rrb-',
      '-lcb-',
      'x',
      '-rcb-',
    ]);
  });

  it('escapes / and * as the PTB3 WSJ does, and splits $ % # @ off', () => {
    expect(cocoTokenize('and/or 1/2 $5 50% #1 @home a*b')).toEqual([
      'and\\/or',
      '1\\/2',
      '$',
      '5',
      '50',
      '%',
      '#',
      '1',
      '@',
      'home',
      'a',
      '\\*',
      'b',
    ]);
  });

  it('keeps the period of known abbreviations (ABBREV1/ABBREV2) but not of ordinary words', () => {
    expect(cocoTokenize('Mr. Smith on St. Mark street.')).toEqual([
      'mr.',
      'smith',
      'on',
      'st.',
      'mark',
      'street',
    ]);
    expect(cocoTokenize('A sign that says no.')).toEqual(['a', 'sign', 'that', 'says', 'no.']);
  });

  it('drops untokenizable characters (emoji), | and \\, and reads ". . ." as one ellipsis', () => {
    expect(cocoTokenize('a dog 🐶 | here \\ . . . there')).toEqual(['a', 'dog', 'here', 'there']);
  });

  it('gives no tokens for empty or punctuation-only captions', () => {
    expect(cocoTokenize('')).toEqual([]);
    expect(cocoTokenize('  . , !  ')).toEqual([]);
  });

  it('americanizes lower-case British spellings as PTBTokenizer does before lower-casing', () => {
    expect(cocoTokenize('a grey colourful neighbourhood theatre')).toEqual([
      'a',
      'gray',
      'colorful',
      'neighborhood',
      'theater',
    ]);
    // Americanize.java is case-sensitive: "Grey" is not in its table, so it stays "grey".
    expect(cocoTokenize('Grey')).toEqual(['grey']);
  });
});

describe('americanize', () => {
  it('uses the table, then the -our pattern with its exceptions, and leaves short words', () => {
    expect(americanize('colours')).toBe('colors'); // ^([a-z]{3,})our(s?)$ → $1or$2
    expect(americanize('contour')).toBe('contour'); // in OUR_EXCEPTIONS
    expect(americanize('programmes')).toBe('programs');
    expect(americanize('kerb')).toBe('curb');
    expect(americanize('tour')).toBe('tour'); // under 6 letters: no pattern
  });
});
