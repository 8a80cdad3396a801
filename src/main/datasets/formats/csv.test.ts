// RFC 4180 CSV: BOM, quoted fields with commas, doubled quotes and line breaks, CRLF/LF/CR, errors with lines.
import { describe, expect, it } from 'vitest';
import { parseCsv, writeCsv } from './csv';

const rows = (t: string) => {
  const r = parseCsv(t);
  if (!r.ok) throw new Error(`line ${r.line}: ${r.message}`);
  return r.rows;
};

describe('parseCsv', () => {
  it('reads plain, quoted, doubled-quote and multi-line fields after a BOM', () => {
    const t =
      '\ufefffile,caption\r\na.jpg,"a dog, running"\r\nb.jpg,"she said ""hi"""\r\n"c.jpg","two\r\nlines"\n';
    expect(rows(t)).toEqual([
      ['file', 'caption'],
      ['a.jpg', 'a dog, running'],
      ['b.jpg', 'she said "hi"'],
      ['c.jpg', 'two\r\nlines'],
    ]);
  });

  it('keeps empty fields, skips blank lines, accepts CR endings and no final newline', () => {
    expect(rows('a,,b\r\n\r\n,x,\rlast')).toEqual([['a', '', 'b'], ['', 'x', ''], ['last']]);
    expect(rows('""\n')).toEqual([['']]);
    expect(rows('')).toEqual([]);
  });

  it('says which line is wrong', () => {
    expect(parseCsv('a,b\nc,"open\nstill open')).toMatchObject({ ok: false, line: 2 });
    expect(parseCsv('a,b\nc,d"e\n')).toMatchObject({ ok: false, line: 2 });
    expect(parseCsv('a\n"x"y\n')).toMatchObject({ ok: false, line: 2 });
  });
});

describe('writeCsv', () => {
  it('round trips fields with commas, quotes, line breaks, tabs, edge spaces and unicode', () => {
    const data = [
      ['file_name', 'caption'],
      ['a b.jpg', 'x, "y"\nz'],
      ['', ' padded '],
      ['t\tab', 'café 🐱\r\n'],
      ['"', ''],
    ];
    const text = writeCsv(data);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(rows(text)).toEqual(data);
  });
});
