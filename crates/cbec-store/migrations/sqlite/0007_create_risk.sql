-- Risk rule sets (the risk engine's versioned TOML files, as uploaded) and
-- the records of the quality and safety monitoring workflows; see
-- src/risk.rs.
CREATE TABLE rule_sets (
    id           TEXT PRIMARY KEY,
    version      TEXT NOT NULL UNIQUE,          -- the file's own version field
    sha256       TEXT NOT NULL,
    rules        INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'active', 'retired', 'rejected')),
    uploaded_by  TEXT NOT NULL,
    uploaded_at  INTEGER NOT NULL,
    decided_by   TEXT,
    decided_at   INTEGER,
    note         TEXT,
    content      TEXT NOT NULL
);
-- At most one rule set is active.
CREATE UNIQUE INDEX rule_sets_one_active ON rule_sets (status) WHERE status = 'active';
CREATE INDEX rule_sets_uploaded ON rule_sets (uploaded_at, id);

-- One row per monitoring record: the JSON body as the domain wrote it, the
-- columns lists filter on, and the version checked by updates.
CREATE TABLE monitoring_records (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    enterprise  TEXT,                           -- enterprise code concerned
    state       TEXT NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,                  -- JSON
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX monitoring_records_kind_state ON monitoring_records (kind, state);
CREATE INDEX monitoring_records_enterprise ON monitoring_records (enterprise);
CREATE INDEX monitoring_records_created ON monitoring_records (created_at, id);
