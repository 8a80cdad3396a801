// Migration 3: per image, a perceptual hash (64-bit dHash, hex, from its thumbnail) and, only for
// images whose dHash equals another's, a hash of the decoded original pixels (exact duplicates);
// computed once by the dataset health check and reused; gone with the image.
export const up = `
CREATE TABLE image_phash (
  image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  dhash TEXT NOT NULL CHECK (length(dhash) = 16),
  pixel_hash TEXT,
  computed_at INTEGER NOT NULL
) STRICT;
CREATE INDEX image_phash_dhash ON image_phash(dhash);
`;
