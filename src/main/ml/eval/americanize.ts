// British → American spelling as the Stanford PTBTokenizer applies it to plain words (its `americanize`
// option, on by default in the CoreNLP 3.4.1 that coco-caption runs): a fixed word table plus five
// suffix patterns. Case-sensitive, like the original: it runs before coco-caption lower-cases.

// edu/stanford/nlp/process/Americanize.java: `converters` → `converted` (lower-case entries; the two
// capitalised ones, Defence and Labour, are kept because they are matched before lower-casing).
const PAIRS = `anaesthetic anesthetic|analogue analog|analogues analogs|analyse analyze|analysed analyzed|
analysing analyzing|armoured armored|cancelled canceled|cancelling canceling|candour candor|
capitalise capitalize|capitalised capitalized|capitalisation capitalization|centre center|
chimaeric chimeric|clamour clamor|coloured colored|colouring coloring|colourful colorful|
defence defense|Defence Defense|discolour discolor|discolours discolors|discoloured discolored|
discolouring discoloring|encyclopaedia encyclopedia|endeavour endeavor|endeavours endeavors|
endeavoured endeavored|endeavouring endeavoring|fervour fervor|favour favor|favours favors|
favoured favored|favouring favoring|favourite favorite|favourites favorites|fibre fiber|fibres fibers|
finalise finalize|finalised finalized|finalising finalizing|flavour flavor|flavours flavors|
flavoured flavored|flavouring flavoring|glamour glamour|grey gray|harbour harbor|harbours harbors|
homologue homolog|homologues homologs|honour honor|honours honors|honoured honored|honouring honoring|
honourable honorable|humour humor|humours humors|humoured humored|humouring humoring|kerb curb|
labelled labeled|labelling labeling|labour labor|Labour Labor|labours labors|laboured labored|
labouring laboring|leant leaned|learnt learned|localise localize|localised localized|
manoeuvre maneuver|manoeuvres maneuvers|maximise maximize|maximised maximized|maximising maximizing|
meagre meager|minimise minimize|minimised minimized|minimising minimizing|modernise modernize|
modernised modernized|modernising modernizing|misdemeanour misdemeanor|misdemeanours misdemeanors|
neighbour neighbor|neighbours neighbors|neighbourhood neighborhood|neighbourhoods neighborhoods|
oestrogen estrogen|oestrogens estrogens|organisation organization|organisations organizations|
penalise penalize|penalised penalized|popularise popularize|popularised popularized|
popularises popularizes|popularising popularizing|practise practice|practised practiced|
pressurise pressurize|pressurised pressurized|pressurises pressurizes|pressurising pressurizing|
realise realize|realised realized|realising realizing|realises realizes|recognise recognize|
recognised recognized|recognising recognizing|recognises recognizes|rumoured rumored|
rumouring rumoring|savour savor|savours savors|savoured savored|savouring savoring|splendour splendor|
splendours splendors|theatre theater|theatres theaters|titre titer|titres titers|travelled traveled|
travelling traveling`;

const TABLE = new Map(
  PAIRS.split('|').map((p) => {
    const [from, to] = p.trim().split(' ');
    return [from, to] as [string, string];
  }),
);

// Americanize.java `patStrings` / `reps` / `excepts`: the first pattern that is found (and whose
// exception is not) is replaced everywhere in the word, and no other pattern is tried.
const OUR_EXCEPTIONS =
  /abatjour|beflour|bonjour|calambour|carrefour|cornflour|contour|de[tv]our|dortour|dyvour|downpour|giaour|glamour|holour|inpour|outpour|pandour|paramour|pompadour|recontour|repour|ryeflour|sompnour|tambour|troubadour|tregetour|velour/;
const PATTERNS: Array<{ re: RegExp; rep: string; except?: RegExp }> = [
  { re: /haem(at)?o/g, rep: 'hem$1o' },
  { re: /aemia$/g, rep: 'emia' },
  { re: /([lL])eukaem/g, rep: '$1eukem' },
  { re: /programme(s?)$/g, rep: 'program$1' },
  { re: /^([a-z]{3,})our(s?)$/g, rep: '$1or$2', except: OUR_EXCEPTIONS },
];

/** American spelling of one word token, as Americanize.americanize (words under 4 letters are kept). */
export function americanize(word: string): string {
  // Americanize.java: MINIMUM_LENGTH_CHANGED = 4, MINIMUM_LENGTH_PATTERN_MATCH = 6. Its month/day
  // capitalisation (timexMapping) is left out: coco-caption lower-cases the result anyway.
  if (word.length < 4) return word;
  const mapped = TABLE.get(word);
  if (mapped !== undefined) return mapped;
  if (word.length < 6) return word;
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    if (!p.re.test(word)) continue;
    if (p.except && p.except.test(word)) continue;
    p.re.lastIndex = 0;
    return word.replace(p.re, p.rep);
  }
  return word;
}
