// Migration 7: each run's caption of every test image, with the references it was scored against
// when the run was tested, so the Runs page can show where a model fails, image by image.
export const up = `
CREATE TABLE run_test_captions (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  caption TEXT NOT NULL,
  refs TEXT NOT NULL,
  PRIMARY KEY (run_id, image_id)
) STRICT;
`;
