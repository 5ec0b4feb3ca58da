-- When a mail was given up, so that the coordinators' digest reports each
-- failure once, in the period it happened, instead of in every digest
-- until someone retries or cancels it. Mails given up before this
-- migration take the time of their last scheduled attempt.
ALTER TABLE outbox ADD COLUMN failed_at TEXT;
UPDATE outbox SET failed_at = next_attempt_at WHERE status = 'failed';
