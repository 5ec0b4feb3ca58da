-- Sending limits count mailboxes, not spellings (see store/mailbox.go):
-- the outbox keeps the recipient's mailbox key, and applications the key of
-- the applicant's address, for the per-address limit and follow-up
-- matching. reserved_at is when a sender took a mail within the hourly
-- cap: a slot taken counts against the cap before the mail leaves, so two
-- senders at once cannot both spend the same budget.
ALTER TABLE outbox ADD COLUMN recipient_key TEXT;
ALTER TABLE outbox ADD COLUMN reserved_at TEXT;
ALTER TABLE applications ADD COLUMN mailbox_key TEXT;

-- Existing rows: lowercase, without a +tag, then Gmail's dots and alias.
UPDATE outbox SET recipient_key = CASE
    WHEN instr(substr(lower(recipient), 1, instr(recipient, '@') - 1), '+') > 1
    THEN substr(lower(recipient), 1, instr(recipient, '+') - 1) || substr(lower(recipient), instr(recipient, '@'))
    ELSE lower(recipient) END;
UPDATE outbox SET recipient_key = replace(substr(recipient_key, 1, instr(recipient_key, '@') - 1), '.', '') || '@gmail.com'
    WHERE recipient_key LIKE '%@gmail.com' OR recipient_key LIKE '%@googlemail.com';
UPDATE outbox SET reserved_at = sent_at WHERE sent_at IS NOT NULL;

UPDATE applications SET mailbox_key = CASE
    WHEN instr(substr(lower(email), 1, instr(email, '@') - 1), '+') > 1
    THEN substr(lower(email), 1, instr(email, '+') - 1) || substr(lower(email), instr(email, '@'))
    ELSE lower(email) END
    WHERE email IS NOT NULL;
UPDATE applications SET mailbox_key = replace(substr(mailbox_key, 1, instr(mailbox_key, '@') - 1), '.', '') || '@gmail.com'
    WHERE mailbox_key LIKE '%@gmail.com' OR mailbox_key LIKE '%@googlemail.com';

CREATE INDEX outbox_recipient_key ON outbox(recipient_key, created_at);
CREATE INDEX outbox_reserved_at ON outbox(reserved_at) WHERE reserved_at IS NOT NULL;
CREATE INDEX applications_mailbox_key ON applications(mailbox_key) WHERE mailbox_key IS NOT NULL;
