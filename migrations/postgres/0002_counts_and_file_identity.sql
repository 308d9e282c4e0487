-- Each count of a run apart: records delivered to the sinks, those
-- already there (NULL when a fan-out to several keyed tables cannot say
-- per record), and each sink's own counts. A source checkpoint also keeps
-- the identity of the file it was read from.
ALTER TABLE dash_runs ADD COLUMN IF NOT EXISTS delivered BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dash_runs ADD COLUMN IF NOT EXISTS already_there BIGINT;

CREATE TABLE IF NOT EXISTS dash_run_sinks (
  run_id        BIGINT NOT NULL,
  sink          TEXT NOT NULL,
  target        TEXT NOT NULL,
  written       BIGINT NOT NULL,
  already_there BIGINT NOT NULL,
  PRIMARY KEY (run_id, sink)
);

ALTER TABLE dash_checkpoints ADD COLUMN IF NOT EXISTS identity TEXT;
