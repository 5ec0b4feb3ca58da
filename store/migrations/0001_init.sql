-- Mailbox checkpoints: one row per (server, user, mailbox, UIDVALIDITY).
-- last_uid only moves forward, in the same transaction that stores the
-- message with that UID, so a crash can never skip or repeat a message.
CREATE TABLE mailboxes (
    id          INTEGER PRIMARY KEY,
    server      TEXT    NOT NULL,
    username    TEXT    NOT NULL,
    mailbox     TEXT    NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (server, username, mailbox, uidvalidity)
);

-- Every message taken in, with its raw bytes, so that it can be parsed
-- again after a parser improvement and nothing is ever lost.
CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY,
    mailbox_id         INTEGER REFERENCES mailboxes(id),
    uid                INTEGER,
    message_id         TEXT,              -- header value, brackets kept; NULL when absent
    sha256             TEXT    NOT NULL,  -- of the raw bytes
    body_sha256        TEXT    NOT NULL,  -- of the bytes after the header block: equal across re-deliveries
    size               INTEGER NOT NULL,
    raw                BLOB    NOT NULL,
    stored_at          TEXT    NOT NULL,
    date               TEXT,              -- Date header, RFC 3339; NULL when absent
    from_email         TEXT,
    from_name          TEXT,
    subject            TEXT,
    kind               TEXT    NOT NULL,
    should_acknowledge INTEGER NOT NULL DEFAULT 0,
    needs_review       INTEGER NOT NULL DEFAULT 0,
    errors             TEXT    NOT NULL DEFAULT '[]',  -- JSON array of defects
    parsed             TEXT    NOT NULL DEFAULT '{}',  -- JSON of what parsing and extraction found
    duplicate_of       INTEGER REFERENCES messages(id),
    application_id     INTEGER REFERENCES applications(id),
    server_done        INTEGER NOT NULL DEFAULT 0,     -- flagged or moved on the server after commit
    UNIQUE (mailbox_id, uid)
);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_from ON messages(from_email, stored_at);
CREATE INDEX messages_pending_server ON messages(mailbox_id) WHERE server_done = 0;

CREATE TABLE applications (
    id                    INTEGER PRIMARY KEY,
    reference             TEXT    NOT NULL UNIQUE,   -- RSE-2026-0007
    year                  INTEGER NOT NULL,
    seq                   INTEGER NOT NULL,
    status                TEXT    NOT NULL,
    first_message_id      INTEGER NOT NULL REFERENCES messages(id),
    received_at           TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    first_name            TEXT,
    last_name             TEXT,
    email                 TEXT,
    phone                 TEXT,
    company               TEXT,
    role                  TEXT,
    siret                 TEXT,
    siret_valid           INTEGER,
    siren                 TEXT,
    postal_code           TEXT,
    commune               TEXT,
    departement           TEXT,
    headcount             INTEGER,
    sector                TEXT,
    motivation            TEXT,
    forwarded_by          TEXT,
    corrected             TEXT    NOT NULL DEFAULT '[]',  -- JSON array of fields a coordinator set
    missing               TEXT    NOT NULL DEFAULT '[]',  -- JSON array of {field, reason}
    score                 INTEGER,
    possible_duplicate_of TEXT,                            -- reference of an earlier application
    UNIQUE (year, seq)
);
CREATE INDEX applications_email ON applications(email);
CREATE INDEX applications_status ON applications(status);

-- Attachment metadata; the bytes live on disk, named by their sha256.
CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
    message_id     INTEGER NOT NULL REFERENCES messages(id),
    application_id INTEGER REFERENCES applications(id),
    position       INTEGER NOT NULL,
    filename       TEXT    NOT NULL,
    content_type   TEXT    NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT    NOT NULL,
    stored         INTEGER NOT NULL DEFAULT 1,  -- 0: not kept (too large)
    refused        TEXT,                        -- why it was not kept, in French for the applicant
    inline         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachments_application ON attachments(application_id);

-- Every change of an application, automatic or by a coordinator.
CREATE TABLE audit (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    at             TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    action         TEXT    NOT NULL,  -- status | score | set | merge | duplicate
    field          TEXT,
    from_value     TEXT,
    to_value       TEXT,
    note           TEXT
);
CREATE INDEX audit_application ON audit(application_id, id);

-- One outbox for every automatic mail. Rows are rendered when queued, so
-- what is sent is what was decided, and a retry sends the same bytes with
-- the same Message-ID.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,   -- ack | complete | decision | reminder | digest
    application_id  INTEGER REFERENCES applications(id),
    message_id      INTEGER REFERENCES messages(id),  -- the stored mail this answers
    dedupe_key      TEXT    UNIQUE,     -- e.g. "ack:RSE-2026-0007": a mail queued once at most
    recipient       TEXT    NOT NULL,
    recipient_name  TEXT,
    subject         TEXT    NOT NULL,
    header_msgid    TEXT    NOT NULL UNIQUE,  -- Message-ID of the outgoing mail, brackets kept
    in_reply_to     TEXT,
    refs            TEXT,               -- References header value
    body_text       TEXT    NOT NULL,
    body_html       TEXT    NOT NULL,
    attachments     TEXT    NOT NULL DEFAULT '[]',  -- JSON: calendar invites and the like
    status          TEXT    NOT NULL DEFAULT 'pending',  -- pending | sent | failed | cancelled
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_recipient ON outbox(recipient, created_at);
