-- Sessions as the configuration last described them. A change of time or
-- place raises sequence (the calendar SEQUENCE), so those already
-- reminded get an update that replaces the event in their calendar.
CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,      -- [[session]] id, also in the calendar UID
    sequence    INTEGER NOT NULL DEFAULT 0,
    start_at    TEXT    NOT NULL,
    end_at      TEXT    NOT NULL,
    location    TEXT    NOT NULL DEFAULT '',
    cancelled   INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT    NOT NULL
);

-- Every reminder, update or cancellation queued for a session, at most
-- once per (session, recipient, offset): offset is the reminder's
-- duration before the start ("24h0m0s"), "update:N" for the update to
-- sequence N, "cancel" for the cancellation.
CREATE TABLE session_mails (
    id             INTEGER PRIMARY KEY,
    session_id     TEXT    NOT NULL REFERENCES sessions(id),
    recipient      TEXT    NOT NULL,
    offset         TEXT    NOT NULL,
    sequence       INTEGER NOT NULL,
    application_id INTEGER REFERENCES applications(id),
    outbox_id      INTEGER REFERENCES outbox(id),
    queued_at      TEXT    NOT NULL,
    UNIQUE (session_id, recipient, offset)
);
CREATE INDEX session_mails_session ON session_mails(session_id, recipient);

-- Each coordinators' digest covers (period_start, period_end]: the next
-- one starts where the last queued one ended, so nothing is skipped after
-- downtime and nothing reported twice.
CREATE TABLE digests (
    id           INTEGER PRIMARY KEY,
    period_start TEXT    NOT NULL,
    period_end   TEXT    NOT NULL,
    queued_at    TEXT    NOT NULL,
    mails        INTEGER NOT NULL
);
