-- Dash's own tables (PostgreSQL). The DLQ table is created per configured
-- name from the template in dlq.sql.
CREATE TABLE IF NOT EXISTS dash_checkpoints (
  pipeline   TEXT NOT NULL,
  source     TEXT NOT NULL,
  position   BIGINT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (pipeline, source)
);

CREATE TABLE IF NOT EXISTS dash_runs (
  id            BIGSERIAL PRIMARY KEY,
  pipeline      TEXT NOT NULL,
  started_at    TIMESTAMPTZ NOT NULL,
  ended_at      TIMESTAMPTZ,
  status        TEXT NOT NULL,
  read          BIGINT NOT NULL DEFAULT 0,
  written       BIGINT NOT NULL DEFAULT 0,
  skipped       BIGINT NOT NULL DEFAULT 0,
  dead_lettered BIGINT NOT NULL DEFAULT 0
);
