// Reading a JSON dataset file: a clear report when it is cut short (truncated download) or is not
// JSON at all, with the line and column of the problem.
import { jsonSyntaxMessage } from '../../util/json';
export { jsonSyntaxMessage };

export type JsonResult = { ok: true; value: unknown } | { ok: false; truncated: boolean; message: string };

/** Parses JSON text (a leading BOM skipped). A file that ends inside a value is `truncated`. */
export function readJson(text: string): JsonResult {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch (e) {
    // Cut short when a string or a bracket is still open at the end; otherwise it is malformed.
    return { ok: false, truncated: endsInsideValue(s), message: jsonSyntaxMessage(e, s) };
  }
}

/** True when brackets or a string are still open at the end of the text. */
function endsInsideValue(s: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return inString || depth > 0 || s.trim() === '';
}

/**
 * Counts the keys of the top-level JSON object in one pass over the text, stopping once it is past
 * `limit` (so a file with a million keys is judged in milliseconds, before JSON.parse builds it).
 * Text that is not an object counts 0; the parser reports it properly afterwards.
 */
export function countTopLevelKeys(text: string, limit: number): number {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '{') return 0;
  let depth = 0;
  let keys = 0;
  let expectKey = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      if (depth === 1 && expectKey && ++keys > limit) return keys;
      expectKey = false;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return keys;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
