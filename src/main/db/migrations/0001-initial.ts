// Migration 1: images, captions with their full edit history and undo operations, collections,
// runs, metrics, checkpoints, settings, and the FTS5 index over caption text.
export const up = `
CREATE TABLE images (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  split TEXT CHECK (split IN ('train', 'val', 'test')),
  added_at INTEGER NOT NULL
) STRICT;
CREATE INDEX images_split ON images(split);
CREATE INDEX images_path ON images(path);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  model TEXT NOT NULL,
  preset TEXT NOT NULL,
  config TEXT NOT NULL,
  data_snapshot TEXT,
  backend TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
  checkpoint_dir TEXT,
  error TEXT,
  warnings TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER
) STRICT;

-- AUTOINCREMENT: a caption id is never reused, so undo/redo can bring a caption back by its id.
CREATE TABLE captions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('human', 'run')),
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'rejected')),
  position INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX captions_image ON captions(image_id);
CREATE INDEX captions_status ON captions(status, image_id);

-- One user action (an edit, a batch replace): the unit of undo. undone: 0 done, 1 undone
-- (redoable), 2 undone and superseded by a newer action (kept for the record, not redoable).
CREATE TABLE edit_ops (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1, 2))
) STRICT;

-- Every change to a caption, ever. op_id is null for changes that are not undoable steps
-- (imports, model drafts). source/run_id/position snapshot a caption so a delete can be undone.
CREATE TABLE caption_history (
  id INTEGER PRIMARY KEY,
  op_id INTEGER REFERENCES edit_ops(id),
  caption_id INTEGER NOT NULL,
  image_id INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'edit', 'status', 'delete', 'restore')),
  old_text TEXT,
  new_text TEXT,
  old_status TEXT,
  new_status TEXT,
  source TEXT NOT NULL,
  run_id INTEGER,
  position INTEGER NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX caption_history_image ON caption_history(image_id, id);
CREATE INDEX caption_history_op ON caption_history(op_id);

CREATE TABLE collections (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE collection_images (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  PRIMARY KEY (collection_id, image_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX collection_images_image ON collection_images(image_id);

CREATE TABLE metrics (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER,
  step INTEGER,
  split TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX metrics_run ON metrics(run_id, name, epoch);

CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('best', 'last', 'epoch')),
  path TEXT NOT NULL,
  epoch INTEGER,
  step INTEGER,
  metric TEXT,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE VIRTUAL TABLE captions_fts USING fts5(
  text, content = 'captions', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER captions_fts_insert AFTER INSERT ON captions BEGIN
  INSERT INTO captions_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER captions_fts_delete AFTER DELETE ON captions BEGIN
  INSERT INTO captions_fts(captions_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER captions_fts_update AFTER UPDATE OF text ON captions BEGIN
  INSERT INTO captions_fts(captions_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO captions_fts(rowid, text) VALUES (new.id, new.text);
END;
`;
