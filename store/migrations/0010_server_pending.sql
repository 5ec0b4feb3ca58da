-- Which stored messages are still to be flagged or moved on the server,
-- in a table of their own: recording a mark then deletes a small row,
-- where setting messages.server_done rewrote the whole message row (SQLite
-- writes a row whole), reading its raw bytes back from disk first, about
-- 15% of the database's reads and writes during a poll.
CREATE TABLE server_pending (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE
);
INSERT INTO server_pending (message_id)
    SELECT id FROM messages WHERE server_done = 0 AND mailbox_id IS NOT NULL AND uid IS NOT NULL;
DROP INDEX messages_pending_server;
ALTER TABLE messages DROP COLUMN server_done;
