// Migration 5: dHash no longer turns float rounding in flat areas into bits (flat pictures now hash
// to all zeros and count as featureless): drop the stored hashes, derived data the next health
// check recomputes from the thumbnails.
export const up = `
DELETE FROM image_phash;
`;
