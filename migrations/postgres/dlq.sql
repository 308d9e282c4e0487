-- The dead-letter table; {table} is replaced by the quoted table name.
CREATE TABLE IF NOT EXISTS {table} (
  id              BIGSERIAL PRIMARY KEY,
  pipeline        TEXT NOT NULL,
  stage           TEXT NOT NULL,
  code            TEXT NOT NULL,
  message         TEXT NOT NULL,
  location        TEXT,
  raw             TEXT NOT NULL,
  source          TEXT NOT NULL,
  position        BIGINT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 1,
  first_failed_at TIMESTAMPTZ NOT NULL,
  last_failed_at  TIMESTAMPTZ NOT NULL
);
