-- Decision mails (selected, waitlisted, declined) are queued by an explicit
-- command; remember which decision each application was last told about so
-- the command queues a mail only when the decision changed.
ALTER TABLE applications ADD COLUMN decision_notified TEXT;
ALTER TABLE applications ADD COLUMN notes TEXT;
