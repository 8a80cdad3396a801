// Flickr8k text bundle: `Flickr8k.token.txt` (`<image>#<n><TAB><caption>`, one caption per line) and
// the split lists `Flickr_8k.{train,dev,test}Images.txt` beside it (one image name per line; dev is
// our val). Layout as in FIELD_NOTES §5. Captions that a line cannot carry use the lines.ts escape.
import type { ImportWarning, Split } from '../../../shared/types';
import { decodeCaptionLine, encodeCaptionLine, LINE_BREAK } from './lines';
import { EntryBuilder, type ExportFile, type ExportImage, type ParsedDataset } from './types';

export const TOKEN_FILE = 'Flickr8k.token.txt';
/** Split list files, in the order a conflict is resolved: an image listed in test stays in test. */
export const SPLIT_FILES: ReadonlyArray<{ split: Split; name: string }> = [
  { split: 'test', name: 'Flickr_8k.testImages.txt' },
  { split: 'val', name: 'Flickr_8k.devImages.txt' },
  { split: 'train', name: 'Flickr_8k.trainImages.txt' },
];

/** Reads the split lists: image name → split. An image in two lists keeps the first (test, val, train) and is reported. */
export function parseSplitLists(lists: ReadonlyArray<{ split: Split; name: string; text: string }>): {
  splits: Map<string, Split>;
  warnings: ImportWarning[];
} {
  const splits = new Map<string, Split>();
  const seen = new Map<string, Split[]>();
  for (const l of lists)
    for (const raw of l.text.split(LINE_BREAK)) {
      const name = raw.trim();
      if (!name) continue;
      const got = seen.get(name) ?? [];
      if (!got.includes(l.split)) got.push(l.split);
      seen.set(name, got);
      if (!splits.has(name)) splits.set(name, l.split);
    }
  const warnings: ImportWarning[] = [];
  for (const [name, list] of seen)
    if (list.length > 1)
      warnings.push({
        path: name,
        message:
          `listed in the ${list.join(' and ')} splits; imported once, in ${list[0]} ` +
          `(the evaluation split wins, so no test image is trained on). Remove it from the other list.`,
      });
  return { splits, warnings };
}

/**
 * Reads a token file. A line without a TAB is reported with its line number; `#<n>` after the image
 * name is dropped (a name without it is accepted). Images in the split lists but without captions
 * are entries without captions.
 */
export function parseFlickr8k(tokenText: string, file: string, splits: Map<string, Split>): ParsedDataset {
  const b = new EntryBuilder();
  const out: ParsedDataset = { entries: [], failed: [], warnings: [] };
  const text = tokenText.charCodeAt(0) === 0xfeff ? tokenText.slice(1) : tokenText;
  text.split(LINE_BREAK).forEach((line, i) => {
    if (line.trim() === '') return;
    const tab = line.indexOf('\t');
    if (tab < 0) {
      out.failed.push({
        path: `${file}:${i + 1}`,
        reason: 'malformed',
        message: `Line ${i + 1} has no TAB between the image name and the caption; fix the line (\`name.jpg#0<TAB>caption\`).`,
      });
      return;
    }
    const key = line.slice(0, tab).trim();
    const hash = key.lastIndexOf('#');
    const name = hash > 0 && /^\d+$/.test(key.slice(hash + 1)) ? key.slice(0, hash) : key;
    if (!name) {
      out.failed.push({
        path: `${file}:${i + 1}`,
        reason: 'malformed',
        message: `Line ${i + 1} has no image name before the TAB; fix or remove the line.`,
      });
      return;
    }
    b.get(name).captions.push(decodeCaptionLine(line.slice(tab + 1)));
  });
  for (const name of splits.keys()) b.get(name);
  out.entries = b.entries();
  for (const e of out.entries) e.split = splits.get(e.ref) ?? null;
  return out;
}

/**
 * The token file and the three split lists (images without a split are in no list; an image with
 * neither captions nor a split cannot be written in this format and is left out).
 */
export function writeFlickr8k(images: readonly ExportImage[]): ExportFile[] {
  const token = images
    .flatMap((img) => img.captions.map((c, n) => `${img.name}#${n}\t${encodeCaptionLine(c)}\n`))
    .join('');
  const files: ExportFile[] = [{ name: TOKEN_FILE, text: token }];
  for (const s of [...SPLIT_FILES].reverse())
    files.push({
      name: s.name,
      text: images
        .filter((i) => i.split === s.split)
        .map((i) => `${i.name}\n`)
        .join(''),
    });
  return files;
}
