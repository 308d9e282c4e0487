-- The dead-letter table; {table} is replaced by the quoted table name.
CREATE TABLE IF NOT EXISTS {table} (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline        TEXT NOT NULL,
  stage           TEXT NOT NULL,
  code            TEXT NOT NULL,
  message         TEXT NOT NULL,
  location        TEXT,
  raw             TEXT NOT NULL,
  source          TEXT NOT NULL,
  position        INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 1,
  first_failed_at TEXT NOT NULL,
  last_failed_at  TEXT NOT NULL
);
