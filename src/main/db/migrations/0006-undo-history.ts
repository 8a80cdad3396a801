// Migration 6: undo and redo are recorded in the caption history as entries of their own (kinds
// 'undo' and 'redo'), each pointing at the entry whose change it took back or made again
// (target_id); their op_id is null, as they move along the undo stack instead of being steps on it.
// SQLite cannot widen a CHECK constraint in place, so the table is rebuilt with every
// row and id kept.
export const up = `
CREATE TABLE caption_history_next (
  id INTEGER PRIMARY KEY,
  op_id INTEGER REFERENCES edit_ops(id),
  caption_id INTEGER NOT NULL,
  image_id INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'edit', 'status', 'delete', 'restore', 'undo', 'redo')),
  old_text TEXT,
  new_text TEXT,
  old_status TEXT,
  new_status TEXT,
  source TEXT NOT NULL,
  run_id INTEGER,
  position INTEGER NOT NULL,
  at INTEGER NOT NULL,
  target_id INTEGER
) STRICT;
INSERT INTO caption_history_next (id, op_id, caption_id, image_id, kind, old_text, new_text, old_status,
  new_status, source, run_id, position, at)
SELECT id, op_id, caption_id, image_id, kind, old_text, new_text, old_status, new_status, source, run_id,
  position, at
FROM caption_history;
DROP TABLE caption_history;
ALTER TABLE caption_history_next RENAME TO caption_history;
CREATE INDEX caption_history_image ON caption_history(image_id, id);
CREATE INDEX caption_history_op ON caption_history(op_id);
`;
