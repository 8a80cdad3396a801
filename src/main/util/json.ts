// Describing a JSON syntax error by where it is (line and column), never by the text itself.

/**
 * What is wrong with JSON text, without quoting it: the engine's own message quotes the start of
 * the text, and a file's contents must never reach an error (serve mode shows errors remotely).
 */
export function jsonSyntaxMessage(e: unknown, text?: string): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/end of JSON input/i.test(m)) return 'it ends in the middle of a value';
  const pos = /at position (\d+)/.exec(m);
  if (pos && text !== undefined) {
    const before = text.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return `a syntax error at line ${line}, column ${column}`;
  }
  return pos ? `a syntax error at character ${Number(pos[1]) + 1}` : 'a character that JSON does not allow';
}
