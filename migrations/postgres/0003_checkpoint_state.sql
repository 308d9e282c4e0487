-- A checkpoint's `identity` (which file its position is in) becomes the
-- source's resume state in general: a file's identity, an `http` source's
-- cursor or next URL, the offsets of followed files by fingerprint.
ALTER TABLE dash_checkpoints RENAME COLUMN identity TO state;
