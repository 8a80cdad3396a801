// The one rule for caption text, applied wherever a caption enters the library (the API, every
// import format, find & replace and batch edits): at most MAX_CAPTION_CHARS UTF-16 units, no lone
// UTF-16 surrogate (it cannot be stored as UTF-8), no control character other than TAB, LF and CR
// (NUL and the others break sidecars, CSV and terminals), and no whitespace at either end (line
// formats cannot keep it, and the editor, search and duplicate detection would see two captions
// where a person sees one). Inner line breaks are kept. The API refuses text that breaks the rule;
// imports repair it (trim, U+FFFD for a lone surrogate, control characters removed) and say so in
// the report, and refuse a caption that is too long.

export const MAX_CAPTION_CHARS = 20_000;

export type CaptionProblem = 'too-long' | 'surrogate' | 'control' | 'edge-space';

/** Lone surrogates: a high one not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
/** C0 controls except TAB (09), LF (0A), CR (0D); DEL; C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

const DESCRIBE: Record<CaptionProblem, string> = {
  'too-long': `is longer than ${MAX_CAPTION_CHARS.toLocaleString('en')} characters`,
  surrogate: 'holds a broken character (a lone UTF-16 surrogate)',
  control: 'holds control characters (such as NUL) other than tab and line breaks',
  'edge-space': 'starts or ends with spaces or line breaks',
};

/** What is wrong with a caption text under the rule (empty when nothing is). */
export function captionProblems(text: string): CaptionProblem[] {
  const out: CaptionProblem[] = [];
  if (text.length > MAX_CAPTION_CHARS) out.push('too-long');
  if (LONE_SURROGATE.test(text)) out.push('surrogate');
  if (CONTROL.test(text)) out.push('control');
  if (text.trim() !== text) out.push('edge-space');
  return out;
}

/** A sentence for the API: why the text was refused and what to do. */
export function describeProblems(problems: readonly CaptionProblem[]): string {
  return `The caption ${problems.map((p) => DESCRIBE[p]).join(', and ')}; fix the text and save it again.`;
}

/** A caption's text as an import keeps it, with what was repaired; null text when it is refused. */
export interface CleanedCaption {
  text: string | null;
  /** Surrounding whitespace removed. */
  trimmed: boolean;
  /** Other repairs, as sentences for the report (empty when none). */
  repairs: string[];
}

/** Applies the rule the way imports do: repair what can be repaired, refuse what is too long. */
export function cleanCaption(raw: string): CleanedCaption {
  const repairs: string[] = [];
  let text = raw;
  if (LONE_SURROGATE.test(text)) {
    text = text.replace(LONE_SURROGATES, '\uFFFD');
    repairs.push('a broken character (lone UTF-16 surrogate) was replaced by U+FFFD');
  }
  if (CONTROL.test(text)) {
    text = text.replace(CONTROLS, '');
    repairs.push('control characters (such as NUL) were removed');
  }
  const trimmedText = text.trim();
  const trimmed = trimmedText !== text;
  text = trimmedText;
  if (text.length > MAX_CAPTION_CHARS) return { text: null, trimmed, repairs };
  return { text, trimmed, repairs };
}
