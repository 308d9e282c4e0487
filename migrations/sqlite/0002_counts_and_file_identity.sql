-- Each count of a run apart: records delivered to the sinks, those
-- already there (NULL when a fan-out to several keyed tables cannot say
-- per record), and each sink's own counts. A source checkpoint also keeps
-- the identity of the file it was read from.
ALTER TABLE dash_runs ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dash_runs ADD COLUMN already_there INTEGER;

CREATE TABLE IF NOT EXISTS dash_run_sinks (
  run_id        INTEGER NOT NULL,
  sink          TEXT NOT NULL,
  target        TEXT NOT NULL,
  written       INTEGER NOT NULL,
  already_there INTEGER NOT NULL,
  PRIMARY KEY (run_id, sink)
);

ALTER TABLE dash_checkpoints ADD COLUMN identity TEXT;
