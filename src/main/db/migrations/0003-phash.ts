// Migration 3: a perceptual hash (64-bit dHash, hex) and a hash of the decoded pixels per image,
// computed once by the dataset health check and reused; gone with the image.
export const up = `
CREATE TABLE image_phash (
  image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  dhash TEXT NOT NULL CHECK (length(dhash) = 16),
  pixel_hash TEXT NOT NULL,
  computed_at INTEGER NOT NULL
) STRICT;
`;
