// Caption sidecars (kohya/TagGUI style): which files belong to an image, how their bytes become
// text (UTF-8 with or without BOM, UTF-16 with BOM, else Latin-1 with a warning), and how a
// multi-line file becomes several captions.
import { basename, dirname, extname, join } from 'node:path';

export const SIDECAR_EXTENSIONS = ['.txt', '.caption'] as const;

/** Sidecar paths to look for beside an image: foo.txt, foo.caption, foo.jpg.txt, foo.jpg.caption. */
export function sidecarCandidates(imagePath: string): string[] {
  const dir = dirname(imagePath);
  const name = basename(imagePath);
  const stem = name.slice(0, name.length - extname(name).length);
  const out: string[] = [];
  for (const base of [stem, name]) for (const ext of SIDECAR_EXTENSIONS) out.push(join(dir, base + ext));
  return out;
}

export const isSidecarName = (name: string): boolean =>
  SIDECAR_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));

export type SidecarEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'latin1';

export type DecodedSidecar =
  | { ok: true; text: string; encoding: SidecarEncoding; warning: string | null }
  | { ok: false; message: string };

/**
 * Decodes sidecar bytes. A BOM decides (UTF-8, UTF-16 LE/BE); without one the bytes must be
 * valid UTF-8, else they are read as Latin-1 (ISO-8859-1, what old Windows tools wrote) with a
 * warning. NUL bytes without a UTF-16 BOM, or UTF-16 that does not decode, are refused.
 */
export function decodeSidecar(bytes: Uint8Array): DecodedSidecar {
  const b = bytes;
  const strict = (label: string, from: number) =>
    new TextDecoder(label, { fatal: true }).decode(b.subarray(from));
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    try {
      return { ok: true, text: strict('utf-8', 3), encoding: 'utf-8-bom', warning: null };
    } catch {
      return {
        ok: false,
        message: 'The file starts with a UTF-8 BOM but is not valid UTF-8; re-save it as UTF-8.',
      };
    }
  }
  for (const [bom, label] of [
    [[0xff, 0xfe], 'utf-16le'],
    [[0xfe, 0xff], 'utf-16be'],
  ] as const) {
    if (b[0] === bom[0] && b[1] === bom[1]) {
      try {
        if ((b.length - 2) % 2 !== 0) throw new Error('odd length');
        return { ok: true, text: strict(label, 2), encoding: label, warning: null };
      } catch {
        return {
          ok: false,
          message: `The file starts with a ${label.toUpperCase()} BOM but is not valid ${label.toUpperCase()} (cut short?); re-save it as UTF-8.`,
        };
      }
    }
  }
  if (b.includes(0))
    return {
      ok: false,
      message: 'The file holds NUL bytes: it is binary or UTF-16 without a BOM; re-save it as UTF-8.',
    };
  try {
    return { ok: true, text: strict('utf-8', 0), encoding: 'utf-8', warning: null };
  } catch {
    return {
      ok: true,
      text: new TextDecoder('latin1').decode(b),
      encoding: 'latin1',
      warning:
        'The caption file is not valid UTF-8; it was read as Latin-1 (Windows-1252). Check accented letters and re-save it as UTF-8.',
    };
  }
}

/**
 * One caption per non-blank line (sd-scripts reads a multi-line caption file as several captions).
 * Lines end at LF, CRLF or CR; nothing else is changed here: the import's caption rule trims the
 * spaces at either end and counts the captions it trimmed.
 */
export function splitCaptions(text: string): string[] {
  return text.split(/\r\n|\n|\r/).filter((l) => l.trim().length > 0);
}
