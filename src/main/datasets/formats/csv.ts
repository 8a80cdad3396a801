// CSV as RFC 4180 writes it: fields separated by commas, records by CRLF (LF and CR accepted on
// reading), a field quoted with `"` when it holds a comma, a quote or a line break, quotes inside
// doubled. A leading UTF-8 BOM (Excel's) is skipped. Errors name the line so a user can fix it.
//
// Formula cells: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, TAB or CR as a
// formula (CSV injection, as OWASP describes it). neutraliseCell writes such a cell with a
// leading `'`, which spreadsheets show as text; restoreCell takes exactly one `'` off again, so
// a cell that itself starts with `'` followed by one of those characters round trips too.

export type CsvResult =
  | { ok: true; rows: string[][]; /** Line where each row starts (1-based). */ lines: number[] }
  | { ok: false; line: number; message: string };

const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

/** A cell as written by default: formula-looking text gets a leading `'`. */
export const neutraliseCell = (v: string): string => (FORMULA_START.test(v) ? `'${v}` : v);

/** A cell as read: the `'` neutraliseCell added is taken off. */
export const restoreCell = (v: string): string => (NEUTRALISED.test(v) ? v.slice(1) : v);

/** Parses CSV text into rows of fields. Blank lines between records are skipped. */
export function parseCsv(text: string): CsvResult {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  const lines: number[] = [];
  let recStart = 1;
  let row: string[] = [];
  let field = '';
  let atFieldStart = true;
  let line = 1;
  let i = 0;
  const endRecord = () => {
    // A line with nothing on it is not a record (a record of one empty field is written `""`).
    if (!(row.length === 0 && field === '' && atFieldStart)) {
      rows.push([...row, field]);
      lines.push(recStart);
    }
    row = [];
    field = '';
    atFieldStart = true;
  };
  while (i < s.length) {
    const ch = s[i];
    if (ch === '"' && atFieldStart) {
      const startLine = line;
      i++;
      for (;;) {
        if (i >= s.length)
          return { ok: false, line: startLine, message: 'a quoted field is never closed (a `"` is missing)' };
        const c = s[i];
        if (c === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n' || (c === '\r' && s[i + 1] !== '\n')) line++;
        field += c;
        i++;
      }
      atFieldStart = false;
      const next = s[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
        return {
          ok: false,
          line,
          message: `text after a closing quote (${JSON.stringify(next)}); double every quote inside a quoted field`,
        };
      // The record ends here (even when the quoted field is empty, `""` is a record).
      if (next === undefined || next === '\n' || next === '\r') {
        rows.push([...row, field]);
        lines.push(recStart);
        row = [];
        field = '';
        atFieldStart = true;
        if (next !== undefined) {
          i += next === '\r' && s[i + 1] === '\n' ? 2 : 1;
          line++;
        }
        recStart = line;
      }
      continue;
    }
    if (ch === ',') {
      row.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      recStart = line;
      continue;
    }
    if (ch === '"')
      return {
        ok: false,
        line,
        message: 'a quote inside an unquoted field; quote the whole field and double the quotes in it',
      };
    field += ch;
    atFieldStart = false;
    i++;
  }
  endRecord();
  return { ok: true, rows, lines };
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$|^$/;

/** One field, quoted when it must be (an empty field too, so a one-column empty record survives). */
export const csvField = (v: string): string => (NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Rows as RFC 4180 text: CRLF after every record, no BOM. */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(csvField).join(',') + '\r\n').join('');
}
