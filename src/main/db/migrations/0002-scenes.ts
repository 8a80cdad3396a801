// Migration 2: ground truth of synthetic scenes (the shapes dataset): one JSON document per image,
// read by the shapes scorer to check generated captions.
export const up = `
CREATE TABLE scenes (
  image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  kind TEXT NOT NULL DEFAULT 'shapes',
  truth TEXT NOT NULL CHECK (json_valid(truth))
) STRICT;
`;
