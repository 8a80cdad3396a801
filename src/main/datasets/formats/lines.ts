// The escaping of captions in line-based files (sidecars, the Flickr8k token file): one caption per
// line, so a caption that a plain line cannot carry is written as a JSON string literal.
//
// Rule (used by every line-based importer and exporter, so they round trip byte for byte): a
// caption is written as is unless it contains CR, LF or another control character but TAB, has whitespace at either end (line readers
// trim), is empty, or itself starts and ends with a double quote; then it is written as
// JSON.stringify(caption). A read line that starts and ends with `"` and parses as a JSON string is
// that string; any other line is the caption as written. Backslashes in ordinary captions are left
// alone (booru tags such as `artist \(name\)` are common in kohya sidecars), which is why the escape
// is a whole-line JSON literal rather than `\n` escapes.

/** Line breaks as sidecar readers split them: CRLF, LF or CR. */
export const LINE_BREAK = /\r\n|\n|\r/;

const needsQuoting = (c: string): boolean =>
  c.length === 0 ||
  // Line breaks, and control characters a caption from before the caption text rule may hold
  // (a raw NUL would make the file look binary on re-import).
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000A-\u001F\u007F]/.test(c) ||
  c.trim() !== c ||
  (c.length >= 2 && c.startsWith('"') && c.endsWith('"'));

/** The line that stands for a caption. */
export function encodeCaptionLine(caption: string): string {
  return needsQuoting(caption) ? JSON.stringify(caption) : caption;
}

/**
 * The caption a line stands for: the string of a JSON literal (spaces around the literal are line
 * padding), else the line as it is (the import's caption rule trims it and counts that).
 */
export function decodeCaptionLine(line: string): string {
  const t = line.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const v: unknown = JSON.parse(t);
      if (typeof v === 'string') return v;
    } catch {
      // A line like `"a" and "b"` is an ordinary caption.
    }
  }
  return line;
}
