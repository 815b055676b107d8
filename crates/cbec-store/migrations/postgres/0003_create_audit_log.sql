-- The hash-chained audit log (see `audit.rs`): seq 1, 2, 3, … without gaps,
-- each entry's hash covering its content and the previous hash.
CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    before_json  TEXT,                     -- TEXT, not JSONB: the hash covers the exact text
    after_json   TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- The chain head: one row, locked (SELECT … FOR UPDATE) first thing in every
-- write transaction, so writers append one after another and the chain
-- never forks, whatever the number of servers.
CREATE TABLE audit_head (
    id    BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (TRUE, 0, '0000000000000000000000000000000000000000000000000000000000000000');
