-- The hash-chained audit log (see `audit.rs`): seq 1, 2, 3, … without gaps,
-- each entry's hash covering its content and the previous hash. Only the
-- single writer appends, so the last row is the chain head.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
