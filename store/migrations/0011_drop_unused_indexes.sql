-- Two indexes no query reads any more, which every application and every
-- queued mail the intake writes had to update: applications are looked up
-- by their mailbox_key (0005), never by email, and automatic mails by
-- recipient_key (0005), never by recipient.
DROP INDEX applications_email;
DROP INDEX outbox_recipient;
