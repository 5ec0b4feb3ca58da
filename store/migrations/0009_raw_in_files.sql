-- A large mail's raw bytes are kept as a file in the attachments folder,
-- named by their sha256 like an attachment (messages.sha256), instead of
-- in the database, whose write-ahead log would write them twice; raw is
-- then empty. Small mail stays in the row, where one transaction stores a
-- whole batch with one fsync.
ALTER TABLE messages ADD COLUMN raw_in_files INTEGER NOT NULL DEFAULT 0;
-- Erasing a message asks whether another one still names its file.
CREATE INDEX messages_raw_in_files ON messages(sha256) WHERE raw_in_files = 1;
