-- Dash's own tables (SQLite). The DLQ table is created per configured name
-- from the template in dlq.sql.
CREATE TABLE IF NOT EXISTS dash_checkpoints (
  pipeline   TEXT NOT NULL,
  source     TEXT NOT NULL,
  position   INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (pipeline, source)
);

CREATE TABLE IF NOT EXISTS dash_runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline      TEXT NOT NULL,
  started_at    TEXT NOT NULL,
  ended_at      TEXT,
  status        TEXT NOT NULL,
  read          INTEGER NOT NULL DEFAULT 0,
  written       INTEGER NOT NULL DEFAULT 0,
  skipped       INTEGER NOT NULL DEFAULT 0,
  dead_lettered INTEGER NOT NULL DEFAULT 0
);
