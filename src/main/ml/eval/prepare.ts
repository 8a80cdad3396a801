// Turns tokenised captions into integer-coded words and 1..4-grams once, so every metric counts with
// typed arrays instead of building a string-keyed dictionary per caption (pycocoevalcap's way).

/** Highest n-gram order any metric here uses (BLEU-4, CIDEr-D n = 4). */
export const MAX_N = 4;

/** One caption: its word ids and the image-local ids of all its n-grams, order 1 first, then 2, 3, 4. */
export interface CodedCaption {
  /** Number of words. */
  length: number;
  /** Local gram ids (see ImageGrams): `length` unigrams, then `length − 1` bigrams, … */
  grams: Int32Array;
  /** Word ids, for the LCS of ROUGE-L. */
  words: Int32Array;
}

/** The distinct n-grams of one image's captions (candidate and references), numbered 0 … size − 1.
 *  Metrics count with arrays of this size, which stay in cache, instead of corpus-sized ones. */
export interface ImageGrams {
  size: number;
  /** Corpus-wide gram id of each local id (CIDEr-D's document frequencies are corpus-wide). */
  globalOf: Int32Array;
  /** Order (1..4) of each local id. */
  orderOf: Uint8Array;
}

export interface CodedCorpus {
  /** One candidate per image, in image order. */
  cands: CodedCaption[];
  /** The references of each image, in image order. */
  refs: CodedCaption[][];
  /** The n-grams of each image, in image order. */
  images: ImageGrams[];
  /** The largest ImageGrams.size. */
  maxLocal: number;
  /** Distinct n-grams in the corpus (all orders); global ids are 0 … numGrams − 1. */
  numGrams: number;
}

/** Number of n-grams of order n in a caption of `length` words. */
export const countOf = (length: number, n: number) => (length >= n ? length - n + 1 : 0);

/** Offset of the order-n grams inside CodedCaption.grams. */
export function offsetOf(length: number, n: number): number {
  let off = 0;
  for (let k = 1; k < n; k++) off += countOf(length, k);
  return off;
}

/** An open-addressing hash map from a pair of non-negative int32s to an int32 in one typed array
 *  (key, key, value side by side: one cache line a probe). A `Map` keyed by `prefix * vocab + word`
 *  would need heap numbers above 2^31 and is several times slower. */
export class PairTable {
  private cells: Int32Array;
  private mask: number;
  private size = 0;

  constructor(expected: number) {
    let slots = 1024;
    while (slots < expected) slots *= 2;
    this.cells = new Int32Array(slots * 4); // zeroed: x is stored as x + 1, so 0 marks an empty slot
    this.mask = slots - 1;
  }

  /** The value stored for (x, y); stores `value` and returns it when there is none yet. */
  intern(x: number, y: number, value: number): number {
    const cells = this.cells;
    let h = (Math.imul(x, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const at = h << 2;
      const cx = cells[at];
      if (cx === 0) {
        cells[at] = x + 1;
        cells[at + 1] = y;
        cells[at + 2] = value;
        if (2 * ++this.size > this.mask) this.grow(); // keep the load under 1/2
        return value;
      }
      if (cx === x + 1 && cells[at + 1] === y) return cells[at + 2];
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.cells;
    this.cells = new Int32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += 4)
      if (old[at] !== 0) this.intern(old[at] - 1, old[at + 1], old[at + 2]);
  }
}

/** Interns words and n-grams. A k-gram is keyed by (id of its (k−1)-gram prefix, last word), so no
 *  n-gram string or tuple is ever built; unigram ids are the word ids themselves. */
class Coder {
  private readonly gramIds: PairTable;
  private order: number[] = [];
  /** Word ids of every caption, read once. */
  private readonly wordsOf: Int32Array[];

  constructor(captions: string[][]) {
    const wordIds = new Map<string, number>();
    let positions = 0;
    this.wordsOf = new Array<Int32Array>(captions.length);
    for (let c = 0; c < captions.length; c++) {
      const caption = captions[c];
      const ids = new Int32Array(caption.length);
      for (let i = 0; i < caption.length; i++) {
        let id = wordIds.get(caption[i]);
        if (id === undefined) {
          id = wordIds.size;
          wordIds.set(caption[i], id);
          this.order.push(1);
        }
        ids[i] = id;
      }
      for (let n = 2; n <= MAX_N; n++) positions += countOf(caption.length, n);
      this.wordsOf[c] = ids;
    }
    // Room for up to 3/4 of the positions being distinct n-grams at load 1/2; the table grows beyond.
    this.gramIds = new PairTable(1.5 * positions);
  }

  get numGrams() {
    return this.order.length;
  }

  gramOrder(): Uint8Array {
    return Uint8Array.from(this.order);
  }

  code(index: number): CodedCaption {
    const words = this.wordsOf[index];
    const length = words.length;
    let total = 0;
    for (let n = 1; n <= MAX_N; n++) total += countOf(length, n);
    const grams = new Int32Array(total);
    grams.set(words, 0);
    // The (k−1)-gram starting at i is at prevOff + i; extend it by the word at i + k − 1.
    let prevOff = 0;
    let off = length;
    for (let k = 2; k <= MAX_N; k++) {
      const count = countOf(length, k);
      for (let i = 0; i < count; i++) {
        const next = this.order.length;
        const g = this.gramIds.intern(grams[prevOff + i], words[i + k - 1], next);
        if (g === next) this.order.push(k);
        grams[off + i] = g;
      }
      prevOff = off;
      off += count;
    }
    return { length, grams, words };
  }
}

/** Replaces the global gram ids of one image's captions by local ids 0 … size − 1 (first seen first). */
function localise(
  captions: CodedCaption[],
  gramOrder: Uint8Array,
  seen: Int32Array,
  stamp: number,
): ImageGrams {
  const globals: number[] = [];
  for (const c of captions) {
    const g = c.grams;
    for (let i = 0; i < g.length; i++) {
      const at = g[i] << 1;
      // seen[2g] = stamp of the image that last saw g, seen[2g + 1] = its local id there.
      if (seen[at] !== stamp) {
        seen[at] = stamp;
        seen[at + 1] = globals.length;
        globals.push(g[i]);
      }
      g[i] = seen[at + 1];
    }
  }
  const globalOf = Int32Array.from(globals);
  const orderOf = new Uint8Array(globalOf.length);
  for (let l = 0; l < globalOf.length; l++) orderOf[l] = gramOrder[globalOf[l]];
  return { size: globalOf.length, globalOf, orderOf };
}

/** Codes a corpus of tokenised candidates (one per image) and references (≥ 1 per image). */
export function codeCorpus(cands: string[][], refs: string[][][]): CodedCorpus {
  const flat: string[][] = [...cands];
  for (const rs of refs) for (const r of rs) flat.push(r);
  const coder = new Coder(flat);
  const codedCands = cands.map((_, i) => coder.code(i));
  let next = cands.length;
  const codedRefs = refs.map((rs) => rs.map(() => coder.code(next++)));
  const gramOrder = coder.gramOrder();
  const seen = new Int32Array(2 * coder.numGrams).fill(-1);
  let maxLocal = 0;
  const images = codedCands.map((c, i) => {
    const img = localise([c, ...codedRefs[i]], gramOrder, seen, i);
    maxLocal = Math.max(maxLocal, img.size);
    return img;
  });
  return { cands: codedCands, refs: codedRefs, images, maxLocal, numGrams: coder.numGrams };
}
