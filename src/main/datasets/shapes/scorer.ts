// Scores a caption against a shapes scene: does each mentioned object exist (shape), are its
// colour and size right, does each stated relation hold, is a stated count right. The measure
// later issues use to tell whether a captioner looks at the right place. Pure.
import {
  COLOUR_NAMES,
  SIZE_NAMES,
  SHAPES,
  type Colour,
  type Relation,
  type Scene,
  type Shape,
  type Size,
} from './scene';

export interface Mention {
  shape: Shape;
  colour: Colour | null;
  size: Size | null;
  /** Token indices of the phrase [start, end]. */
  start: number;
  end: number;
}

export interface RelationMention {
  /** Indices into the mentions. */
  subject: number;
  object: number;
  relation: Relation;
}

export interface ParsedCaption {
  mentions: Mention[];
  relations: RelationMention[];
  /** A stated number of shapes ("two shapes"), or null. */
  count: number | null;
}

export interface Tally {
  correct: number;
  total: number;
}

export interface CaptionScore {
  shape: Tally;
  colour: Tally;
  size: Tally;
  relation: Tally;
  count: Tally;
  /** Scene objects the caption names, out of all of them. */
  recall: Tally;
}

const SHAPE_WORDS: Record<string, Shape> = Object.fromEntries(
  SHAPES.flatMap((s) => [
    [s, s],
    [`${s}s`, s],
  ]),
);
const COLOUR_WORDS: Record<string, Colour> = Object.fromEntries(COLOUR_NAMES.map((c) => [c, c]));
const SIZE_WORDS: Record<string, Size> = {
  ...Object.fromEntries(SIZE_NAMES.map((s) => [s, s])),
  little: 'small',
  tiny: 'small',
  big: 'large',
};
const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };

/** A relation from the words between two mentions ("to the left of", "above", "under"…), or null. */
function relationIn(words: string[]): Relation | null {
  if (words.includes('left')) return 'left-of';
  if (words.includes('right')) return 'right-of';
  if (words.some((w) => w === 'above' || w === 'over')) return 'above';
  if (words.some((w) => w === 'below' || w === 'under' || w === 'beneath' || w === 'underneath'))
    return 'below';
  return null;
}

/** Finds object phrases (up to two colour/size words before a shape word) and relations between neighbours. */
export function parseCaption(caption: string): ParsedCaption {
  const words = caption.toLowerCase().match(/[a-z]+/g) ?? [];
  const mentions: Mention[] = [];
  let count: number | null = null;
  words.forEach((w, i) => {
    if (
      w in NUMBER_WORDS &&
      (words[i + 1] === 'shapes' || words[i + 1] === 'objects' || words[i + 1] === 'shape')
    )
      count = NUMBER_WORDS[w];
    const shape = SHAPE_WORDS[w];
    if (!shape) return;
    let colour: Colour | null = null;
    let size: Size | null = null;
    let start = i;
    for (let j = i - 1; j >= Math.max(0, i - 2); j--) {
      if (!colour && COLOUR_WORDS[words[j]]) colour = COLOUR_WORDS[words[j]];
      else if (!size && SIZE_WORDS[words[j]]) size = SIZE_WORDS[words[j]];
      else break;
      start = j;
    }
    if (mentions.length && start <= mentions[mentions.length - 1].end)
      start = mentions[mentions.length - 1].end + 1;
    mentions.push({ shape, colour, size, start, end: i });
  });
  const relations: RelationMention[] = [];
  for (let k = 0; k + 1 < mentions.length; k++) {
    const between = words.slice(mentions[k].end + 1, mentions[k + 1].start);
    const relation = relationIn(between);
    if (relation) relations.push({ subject: k, object: k + 1, relation });
  }
  return { mentions, relations, count };
}

/**
 * The scene object a mention names: one of its shape, agreeing best on colour (weight 2: colour
 * is the surer cue) then size (weight 1), objects not yet named first, then the lower index.
 */
function matchMentions(mentions: Mention[], scene: Scene): Array<number | null> {
  const used = new Set<number>();
  return mentions.map((m) => {
    let best: number | null = null;
    let bestScore = -1;
    scene.objects.forEach((o, i) => {
      if (o.shape !== m.shape) return;
      const score = (m.colour === o.colour ? 4 : 0) + (m.size === o.size ? 2 : 0) + (used.has(i) ? 0 : 1);
      if (score > bestScore) [best, bestScore] = [i, score];
    });
    if (best !== null) used.add(best);
    return best;
  });
}

export function scoreCaption(caption: string, scene: Scene): CaptionScore {
  const parsed = parseCaption(caption);
  const match = matchMentions(parsed.mentions, scene);
  const t = (): Tally => ({ correct: 0, total: 0 });
  const s: CaptionScore = { shape: t(), colour: t(), size: t(), relation: t(), count: t(), recall: t() };
  parsed.mentions.forEach((m, k) => {
    const i = match[k];
    s.shape.total++;
    if (i === null) return;
    s.shape.correct++;
    const o = scene.objects[i];
    if (m.colour) {
      s.colour.total++;
      if (o.colour === m.colour) s.colour.correct++;
    }
    if (m.size) {
      s.size.total++;
      if (o.size === m.size) s.size.correct++;
    }
  });
  for (const r of parsed.relations) {
    s.relation.total++;
    const [a, b] = [match[r.subject], match[r.object]];
    if (a === null || b === null || a === b) continue;
    if (scene.relations.some((f) => f.subject === a && f.object === b && f.relation === r.relation))
      s.relation.correct++;
  }
  if (parsed.count !== null) {
    s.count.total = 1;
    s.count.correct = parsed.count === scene.objects.length ? 1 : 0;
  }
  s.recall.total = scene.objects.length;
  s.recall.correct = new Set(match.filter((i) => i !== null)).size;
  return s;
}

/** Sums tallies over many captions (corpus-level accuracy, like corpus BLEU). */
export function sumScores(scores: readonly CaptionScore[]): CaptionScore {
  const keys = ['shape', 'colour', 'size', 'relation', 'count', 'recall'] as const;
  const out = Object.fromEntries(keys.map((k) => [k, { correct: 0, total: 0 }])) as unknown as CaptionScore;
  for (const s of scores)
    for (const k of keys) {
      out[k].correct += s[k].correct;
      out[k].total += s[k].total;
    }
  return out;
}

/** correct / total, or null when the caption said nothing of that kind. */
export const accuracy = (t: Tally): number | null => (t.total === 0 ? null : t.correct / t.total);
