-- The register of erasures, on request or by retention: what was removed,
-- when, by whom and why, without the personal data itself (the audit rows
-- of an erased application go with it, so this is what remains).
CREATE TABLE erasures (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    reason    TEXT    NOT NULL,  -- request | retention
    reference TEXT,              -- the erased application's reference, when one
    note      TEXT    NOT NULL   -- "application RSE-2026-0007 erased on request, by X"
);
