// Caption normalisation for the word vocabulary: the words a caption model is trained on.

// Words are runs of letters and digits, joined by inner apostrophes or hyphens ("man's", "t-shirt"),
// so decoded captions keep the forms the metric's PTB tokeniser expects.
const WORD = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu;

/**
 * The words of a caption: Unicode NFKC, lower case, typographic apostrophes made plain, and every
 * other character (punctuation, symbols, emoji) treated as a separator.
 * "A Man’s T-shirt, red!" → ["a", "man's", "t-shirt", "red"].
 */
export function captionWords(text: string): string[] {
  const norm = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02BC`´]/g, "'");
  return norm.match(WORD) ?? [];
}

/** A caption normalised to its words joined by single spaces. */
export function normalizeCaption(text: string): string {
  return captionWords(text).join(' ');
}
