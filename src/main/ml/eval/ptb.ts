// coco-caption's caption tokenisation without Java: the Stanford PTBTokenizer rules that matter for
// captions (PTBLexer.flex, default PTB3 options), lower-cased, then its punctuation list removed
// (pycocoevalcap/tokenizer/ptbtokenizer.py). Where this differs from the Java, see README.md here.
import { americanize } from './americanize';

// ptbtokenizer.py PUNCTUATIONS, compared after `-lowerCase`: the upper-case bracket entries can never
// match, so coco-caption keeps "-lrb-", "-rrb-", "-lcb-", "-rcb-" as words. We reproduce that.
const PUNCTUATIONS = new Set(["''", "'", '``', '`', '-LRB-', '-RRB-', '-LCB-', '-RCB-']);
for (const p of ['.', '?', '!', ',', ':', '-', '--', '...', ';']) PUNCTUATIONS.add(p);

/** A lexer rule: the sticky pattern, which first characters can start it, and the token it makes.
 *  A named group `h` is the token when the rest of the match is trailing context (JFlex `r1/r2`),
 *  which counts towards the longest match but is not consumed. */
interface Rule {
  re: RegExp;
  first: RegExp;
  emit: (text: string) => string | null;
}

/** A literal matched without regard to case (the lexer is %caseless; its character classes are not). */
const ci = (s: string) =>
  s.replace(/[A-Za-z.]/g, (c) => (c === '.' ? '\\.' : `[${c.toLowerCase()}${c.toUpperCase()}]`));
const alt = (words: string) =>
  words
    .split('|')
    .map((w) => (w.startsWith('!') ? w[1] + ci(w.slice(2)) : ci(w)))
    .join('|');

const L = '[\\p{L}\\p{M}\\u00AD]'; // WORD characters (letters, combining marks, soft hyphen)
const AN = '[\\p{L}\\p{M}\\p{Nd}]'; // THING characters
const D = '\\p{Nd}';
const APOS = "(?:['\\u0092\\u2019]|&apos;)";
const APOSETC = "(?:['\\u0092\\u2019\\u0091\\u2018\\u201B]|&apos;)";
const REDAUX = `${APOS}(?:[msdMSD]|[rR][eE]|[vV][eE]|[lL][lL])`;
const HYPHEN = '[-_\\u058A\\u2010\\u2011]';
const SPACE = '[ \\t\\u00A0\\u2000-\\u200A\\u3000]';
const ACRO = `(?:[A-Za-z](?:\\.[A-Za-z])+|(?:${alt('Canada|Sino|Korean|EU|Japan|non')})-U\\.S|U\\.S\\.-(?:U\\.K|U\\.S\\.S\\.R))`;
// Abbreviation lists of PTBLexer.flex. "!X" marks a first letter the flex keeps case-sensitive ([A]rk).
const ABBREV1 = alt(
  'Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mon|Tue|Tues|Wed|Thu|Thurs|Fri|Ala|Ariz|!Ark|' +
    'Calif|Colo|Conn|Dak|Del|Fla|Ga|!Ill|Ind|Kan|Kans|Ky|La|!Mass|Md|Mich|Minn|!Miss|Mo|Mont|Neb|Nev|' +
    'Okla|!Ore|Pa|Penn|Tenn|Tex|Va|Vt|!Wash|Wis|Wisc|Wyo|Inc|Co|Cos|Corp|Pty|Ptys|Ppty|Pptys|Ltd|Plc|' +
    'Bancorp|Dept|Bhd|Assn|Univ|Intl|Sys|No|Nos|Prop|Ph|tel|est|ext|sq|ft|Jr|Sr|Bros|Ed.D|Ph.D|Blvd|Rd|' +
    'Esq|etc|al|seq',
);
// ACRO first and single letters last: a JS alternation takes the first branch that fits, not the longest.
const ABBREV4 = `(?:${ACRO}|${alt(
  'Mr|Mrs|Ms|!Miss|Dr|Drs|Prof|Profs|Sen|Sens|Rep|Reps|Atty|Attys|Lt|Col|Gen|Messrs|Gov|Govs|Adm|Rev|' +
    'Maj|Sgt|Cpl|Pvt|Mt|Capt|St|Ste|Ave|Pres|Lieut|Hon|Brig|Cmdr|Comdr|Pfc|Spc|Supt|Supts|Det|vs|Alex|' +
    'Wm|Jos|Cie|a.k.a|cf|TREAS|Invt|Elec|Natl|Mfg|Mtg',
)}|[A-Za-z])`;
const HTHING = `[A-Za-z0-9][A-Za-z0-9.,\\u00AD]*(?:-(?:[A-Za-z0-9\\u00AD]+|${ACRO}\\.))+`;
const THING = `(?:[dDoOlL]${APOSETC}${AN})?${AN}+(?:${HYPHEN}(?:[dDoOlL]${APOSETC}${AN})?${AN}+)*`;
const THINGA = '[A-Z]+(?:(?:[+&]|&amp;)[A-Z]+)+';
// APOWORD's branches, one rule each so that the longest of them wins as in JFlex.
const APOWORD = [
  `${APOS}[nN]${APOS}?`,
  `[lLdDjJ]${APOS}`,
  `${alt('Dunkin|somethin|ol')}${APOS}`,
  `${APOS}${ci('em')}`,
  `[A-HJ-XZn]${APOSETC}\\p{L}{2}\\p{L}*`,
  `${APOS}[2-9]0[sS]`,
  `${APOS}${ci('til')}[lL]?`,
  `\\p{L}+[aeiouyAEIOUY]${APOSETC}[aeiouA-Z]\\p{L}*`,
  `${APOS}${ci('cause')}`,
  `${ci('cont')}'${ci('d')}\\.?`,
  ...["'twas", "nor'easter", "c'mon", "e'er", "s'mores", "ev'ry", "li'l", "nat'l"].map(ci),
];
const MISCSYMBOL =
  '[\\u00A6-\\u00A9\\u00AC\\u00AE-\\u00BA\\u00D7\\u00F7\\u0387\\u05BE\\u05C0\\u05C3\\u05C6\\u05F3\\u05F4' +
  '\\u0600-\\u0603\\u0606-\\u060A\\u060C\\u0614\\u061B\\u061E\\u066A\\u066D\\u0703-\\u070D\\u07F6-\\u07F8' +
  '\\u0964\\u0965\\u0E4F\\u2020-\\u2023\\u2032-\\u2038\\u2044\\u207A-\\u207F\\u208A-\\u208E\\u2100-\\u214F' +
  '\\u2190-\\u23FF\\u2600-\\u26FF\\u3012\\u30FB\\uFF01-\\uFF0F\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65]';

const removeSoftHyphens = (s: string) => s.replace(/\u00AD/g, '');
/** PTBLexer.delimit: backslash-escape `c` unless already escaped (the old PTB3 `\/` and `\*`). */
const delimit = (s: string, c: string) =>
  s.replace(
    new RegExp(`(^|[^\\\\])(\\${c}+)`, 'g'),
    (_m, pre: string, run: string) =>
      pre +
      run
        .split('')
        .map((x) => '\\' + x)
        .join(''),
  );
const escapeUrl = (s: string) => delimit(delimit(s, '/'), '*');
/** PTBLexer.latexQuotes with probablyLeft = false (closing forms; all of them are later removed). */
const latexQuotes = (s: string) =>
  s
    .replace(/&apos;|'/g, "'")
    .replace(/"|&quot;/g, "''")
    .replace(/[\u0091\u2018\u201B\u2039]/g, '`')
    .replace(/[\u0092\u2019\u203A]/g, "'")
    .replace(/[\u0093\u201C\u00AB]/g, '``')
    .replace(/[\u0094\u201D\u00BB]/g, "''");
const CURRENCY: Record<string, string> = { '\u00A2': 'cents', '\u00A3': '#', '\u00A4': '$', '\u0080': '$' };
const FRACTIONS: Record<string, string> = { '¼': '1\\/4', '½': '1\\/2', '¾': '3\\/4', '⅓': '1\\/3' };

const id = (t: string) => t;
const word = (t: string) => americanize(removeSoftHyphens(t));
const r = (re: string, first: string, emit: (t: string) => string | null = id): Rule => ({
  re: new RegExp(re, 'uy'),
  first: new RegExp(first, 'u'),
  emit,
});

// In PTBLexer.flex order: on equal match lengths the earlier rule wins.
const RULES: Rule[] = [
  r(`(?<h>${ci('can')})${ci('not')}`, '[cC]'),
  r('<\\/?[A-Za-z!][^>]*>', '<'),
  r(
    `&(?:${alt('MD|mdash|ndash')});|[\\u0096\\u0097\\u2013\\u2014\\u2015]`,
    '[&\\u0096\\u0097\\u2013-\\u2015]',
    () => '--',
  ),
  r(ci('&amp;'), '&', () => '&'),
  r(`(?<h>${L}+)${REDAUX}`, L, word),
  r(`(?<h>[A-Za-z\\u00AD]*[A-MO-Za-mo-z]\\u00AD*)[nN]${APOSETC}[tT]`, '[A-Za-z\\u00AD]', removeSoftHyphens),
  r(`${L}+`, L, word),
  ...APOWORD.map((a) => r(a, "[\\p{L}'\\u0092\\u2019&]")),
  r(`(?<h>[yY]${APOS})\\p{L}`, '[yY]'),
  r('[hH][tT][tT][pP][sS]?:\\/\\/[^ \\t\\n\\f\\r"<>|()]+[^ \\t\\n\\f\\r"<>|.!?(){},-]', '[hH]', escapeUrl),
  r(
    '(?:(?:www\\.(?:[^ \\t\\n\\f\\r"<>|.!?(){},]+\\.)+[a-zA-Z]{2,4})|(?:(?:[^ \\t\\n\\f\\r"`\'<>|.!?(){},-_$]+\\.)+(?:com|net|org|edu)))(?:\\/[^ \\t\\n\\f\\r"<>|()]+[^ \\t\\n\\f\\r"<>|.!?(){},-])?',
    '[^\\s"<>|.!?(){},]',
    escapeUrl,
  ),
  r(
    '[a-zA-Z0-9][^ \\t\\n\\f\\r"<>|()\\u00A0]*@(?:[^ \\t\\n\\f\\r"<>|().\\u00A0]+\\.)+[a-zA-Z]{2,4}',
    '[a-zA-Z0-9]',
  ),
  r(`(?<h>${REDAUX})(?:[^A-Za-z]|$)`, "['\\u0092\\u2019&]", latexQuotes),
  r(`[nN]${APOSETC}[tT]`, '[nN]', latexQuotes),
  r(`${D}{1,2}[-\\/]${D}{1,2}[-\\/]${D}{2,4}`, D, (t) => delimit(t, '/')),
  r(
    `[-+]?(?:${D}*(?:[.:,\\u00AD\\u066B\\u066C]${D}+)+|${D}+)`,
    `[-+.:,\\u00AD\\u066B\\u066C]|${D}`,
    removeSoftHyphens,
  ),
  r(`(?:${D}{1,4}-)?${D}{1,4}(?:\\\\?\\/|\\u2044)${D}{1,4}`, D, (t) => delimit(t, '/')),
  r(
    '[\\u00BC\\u00BD\\u00BE\\u2153-\\u215E]',
    '[\\u00BC\\u00BD\\u00BE\\u2153-\\u215E]',
    (t) => FRACTIONS[t] ?? t,
  ),
  r(
    `-(?:RRB|LRB|RCB|LCB|RSB|LSB)-|${alt('C.D.s|pro-|anti-')}|${ci('S')}(?:&|&amp;)${alt('P-500|Ls')}|${ci('Cap')}${APOS}${ci('n')}|${ci('c')}${APOS}${ci('est')}`,
    '[-cCpPaAsS]',
    (t) => t.replace(/&amp;/gi, '&'),
  ),
  r('[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}(?:\\\\?\\/[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}){1,2}', '[A-Za-z0-9]', (t) =>
    delimit(t, '/'),
  ),
  r('[A-Z]*\\$|#', '[A-Z$#]'),
  r(
    '[\\u00A2\\u00A3\\u00A4\\u00A5\\u0080\\u20A0\\u20AC\\u060B\\u0E3F\\u20A4\\uFFE0\\uFFE1\\uFFE5\\uFFE6]',
    '[\\u00A2-\\u00A5\\u0080\\u20A0\\u20AC\\u060B\\u0E3F\\u20A4\\uFFE0\\uFFE1\\uFFE5\\uFFE6]',
    (t) => CURRENCY[t] ?? (/[\u20A0\u20AC]/.test(t) ? '$' : t),
  ),
  r(`(?:${ABBREV1})\\.`, '[A-Za-z]'),
  r(`${ABBREV4}\\.`, '[A-Za-z]'),
  r(`(?<h>${ABBREV4})${SPACE}`, '[A-Za-z]'),
  r(`(?<h>${ACRO})\\s`, '[A-Za-z]'),
  r(`(?<h>${APOS}${D}${D})\\s`, "['\\u0092\\u2019&]"),
  r(`(?<h>${L}+\\.)[,;:]`, L, removeSoftHyphens),
  r('(?<h>"|&quot;)[A-Za-z0-9$]', '["&]', () => '``'),
  r('"|&quot;', '["&]', () => "''"),
  r('[+%&\\u2030\\u2031~^=]', '[+%&\\u2030\\u2031~^=]'),
  r('[|\\\\\\u007F]', '[|\\\\\\u007F]', () => null),
  r('[<\\[]|&lt;', '[<\\[&]', () => '-LRB-'),
  r('[>\\]]|&gt;', '[>\\]&]', () => '-RRB-'),
  r('\\{', '\\{', () => '-LCB-'),
  r('\\}', '\\}', () => '-RCB-'),
  r('\\(', '\\(', () => '-LRB-'),
  r('\\)', '\\)', () => '-RRB-'),
  r('-+', '-', (t) => (t.length >= 3 && t.length <= 4 ? '--' : t)),
  r('\\.{3,5}|(?:\\.[ \\u00A0]){2,4}\\.|[\\u0085\\u2026]', '[.\\u0085\\u2026]', () => '...'),
  r('@+|#+|_+', '[@#_]'),
  r('\\*+|(?:\\\\\\*){1,3}', '[*\\\\]', (t) => delimit(t, '*')),
  r('[,;:]', '[,;:]'),
  r('[?!]+', '[?!]'),
  r(
    '[.¡¿\\u037E\\u0589\\u061F\\u06D4\\u0700-\\u0702\\u07FA]',
    '[.¡¿\\u037E\\u0589\\u061F\\u06D4\\u0700-\\u0702\\u07FA]',
  ),
  r('\\/', '\\/', () => '\\/'),
  r(`(?<h>${HTHING}\\.)[,;:]`, '[A-Za-z0-9]', removeSoftHyphens),
  r(HTHING, '[A-Za-z0-9]', removeSoftHyphens),
  r(`(?<h>${THING}\\.)[,;:]`, `[dDoOlL]|${AN}`),
  r(THING, `[dDoOlL]|${AN}`),
  r(`(?<h>${THINGA}\\.)[,;:]`, '[A-Z]', (t) => t.replace(/&amp;/g, '&')),
  r(THINGA, '[A-Z]', (t) => t.replace(/&amp;/g, '&')),
  r("(?<h>')[A-Za-z][^ \\t\\n\\r\\u00A0]", "'", () => '`'),
  r(REDAUX, "['\\u0092\\u2019&]", latexQuotes),
  r(
    `${APOS}|''|[\`\\u2018\\u2019\\u201A\\u201B\\u201C\\u201D\\u0091-\\u0094\\u201E\\u201F\\u2039\\u203A\\u00AB\\u00BB]{1,2}`,
    "['&`\\u2018\\u2019\\u201A\\u201B\\u201C\\u201D\\u0091-\\u0094\\u201E\\u201F\\u2039\\u203A\\u00AB\\u00BB]",
    latexQuotes,
  ),
  r(MISCSYMBOL, MISCSYMBOL),
];

const candidatesByChar = new Map<string, Rule[]>();
function candidates(ch: string): Rule[] {
  let list = candidatesByChar.get(ch);
  if (!list) {
    list = RULES.filter((rule) => rule.first.test(ch));
    candidatesByChar.set(ch, list);
  }
  return list;
}

/** Raw PTB tokens of one whitespace-free chunk; `follower` is the whitespace after it (' ' inside a
 *  caption, '\n' at its end: ptbtokenizer.py writes one caption per line), seen by trailing contexts. */
function lexChunk(chunk: string, follower: string): string[] {
  const s = chunk + follower;
  const out: string[] = [];
  let pos = 0;
  while (pos < chunk.length) {
    const cp = s.codePointAt(pos)!;
    const ch = String.fromCodePoint(cp);
    let best: RegExpExecArray | null = null;
    let bestRule: Rule | null = null;
    for (const rule of candidates(ch)) {
      rule.re.lastIndex = pos;
      const m = rule.re.exec(s);
      if (m && (!best || m[0].length > best[0].length)) {
        best = m;
        bestRule = rule;
      }
    }
    if (!best || !bestRule) {
      pos += ch.length; // untokenizable (e.g. emoji): PTBLexer's default `firstDelete` drops it
      continue;
    }
    const text = best.groups?.h ?? best[0];
    const tok = bestRule.emit(text);
    if (tok !== null) out.push(tok);
    pos += Math.min(text.length, chunk.length - pos);
  }
  return out;
}

const SPLIT = /[\s\u200B\u200E\u200F\uFEFF\0]+/u;
// LDOTS may span spaces (". . ."); join it up before splitting on whitespace, with the same result.
const SPACED_DOTS = /\.(?:[ \u00A0]\.){2,4}/g;
const MAX_CACHE = 200_000;
const cacheMid = new Map<string, string[]>();
const cacheEnd = new Map<string, string[]>();

function chunkTokens(chunk: string, last: boolean): string[] {
  const cache = last ? cacheEnd : cacheMid;
  let toks = cache.get(chunk);
  if (toks === undefined) {
    toks = [];
    for (const t of lexChunk(chunk, last ? '\n' : ' ')) {
      const lower = t.toLowerCase();
      if (!PUNCTUATIONS.has(lower)) toks.push(lower);
    }
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(chunk, toks);
  }
  return toks;
}

/**
 * A caption as coco-caption's PTBTokenizer + punctuation removal leaves it: lower-cased tokens.
 * E.g. "A man's (red) T-shirt, isn't it?" → ["a", "man", "'s", "-lrb-", "red", "-rrb-", "t-shirt",
 * "is", "n't", "it"].
 */
export function cocoTokenize(caption: string): string[] {
  const text = caption.replace(SPACED_DOTS, (m) => m.replace(/[ \u00A0]/g, ''));
  const chunks = text.split(SPLIT);
  let end = chunks.length;
  while (end > 0 && chunks[end - 1] === '') end--;
  const out: string[] = [];
  for (let i = 0; i < end; i++) {
    if (chunks[i] === '') continue;
    for (const t of chunkTokens(chunks[i], i === end - 1)) out.push(t);
  }
  return out;
}
