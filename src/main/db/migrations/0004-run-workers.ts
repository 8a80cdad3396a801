// Migration 4: which process owns a queued or running training run, and when its worker last said
// it was alive, so a run whose worker is gone (killed, machine off) is marked interrupted.
export const up = `
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE runs ADD COLUMN heartbeat_at INTEGER;
CREATE INDEX runs_status ON runs(status);
`;
