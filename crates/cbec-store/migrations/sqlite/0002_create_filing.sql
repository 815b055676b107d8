-- Enterprises, their versions, licences, certificates, credit history and
-- overseas warehouses, and the applications that change them. Times are
-- UTC milliseconds; JSON is TEXT; ids are UUIDv7 text (time-ordered).
CREATE TABLE enterprises (
    id            TEXT PRIMARY KEY,
    version       INTEGER NOT NULL,
    customs_code  TEXT,
    uscc          TEXT,
    name          TEXT NOT NULL,
    record        TEXT NOT NULL,           -- JSON EnterpriseRecord of the current version
    credit        TEXT NOT NULL,
    filed_at      INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CONSTRAINT enterprises_customs_code_key UNIQUE (customs_code),
    CONSTRAINT enterprises_uscc_key UNIQUE (uscc)
);
CREATE INDEX enterprises_filed ON enterprises (filed_at, id);

CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    enterprise_id  TEXT REFERENCES enterprises (id),
    payload        TEXT NOT NULL,          -- JSON as submitted
    state          TEXT NOT NULL,
    submitted_by   TEXT NOT NULL,
    submitted_at   INTEGER NOT NULL,
    decided_by     TEXT,
    decided_at     INTEGER,
    reason         TEXT
);
CREATE INDEX applications_submitted ON applications (submitted_at, id);
CREATE INDEX applications_state ON applications (state, submitted_at, id);
CREATE INDEX applications_enterprise ON applications (enterprise_id, submitted_at, id);

CREATE TABLE enterprise_versions (
    enterprise_id   TEXT NOT NULL REFERENCES enterprises (id),
    version         INTEGER NOT NULL,
    record          TEXT NOT NULL,         -- JSON EnterpriseRecord
    valid_from      INTEGER NOT NULL,
    application_id  TEXT REFERENCES applications (id),
    PRIMARY KEY (enterprise_id, version)
);

CREATE TABLE credit_changes (
    id             TEXT PRIMARY KEY,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    rating         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    changed_by     TEXT NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX credit_changes_enterprise ON credit_changes (enterprise_id, at, id);

CREATE TABLE licences (
    id             TEXT PRIMARY KEY,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    kind           TEXT NOT NULL,
    number         TEXT NOT NULL,
    issuer         TEXT NOT NULL,
    scope          TEXT NOT NULL,
    valid_from     TEXT NOT NULL,          -- YYYY-MM-DD
    valid_to       TEXT NOT NULL,          -- YYYY-MM-DD, inclusive
    created_at     INTEGER NOT NULL,
    CONSTRAINT licences_kind_number_key UNIQUE (enterprise_id, kind, number)
);

CREATE TABLE certificates (
    id             TEXT PRIMARY KEY,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    serial         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    issuer         TEXT NOT NULL,
    not_before     INTEGER NOT NULL,
    not_after      INTEGER NOT NULL,
    fingerprint    BLOB NOT NULL CHECK (length(fingerprint) = 32),
    der            BLOB NOT NULL,
    bound_at       INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoke_reason  TEXT
);
-- A certificate is bound to at most one enterprise at a time.
CREATE UNIQUE INDEX certificates_fingerprint_bound ON certificates (fingerprint) WHERE revoked_at IS NULL;
CREATE INDEX certificates_fingerprint ON certificates (fingerprint, bound_at);
CREATE INDEX certificates_enterprise ON certificates (enterprise_id, bound_at, id);
CREATE INDEX certificates_serial ON certificates (serial);

CREATE TABLE overseas_warehouses (
    id              TEXT PRIMARY KEY,
    enterprise_id   TEXT NOT NULL REFERENCES enterprises (id),
    name            TEXT NOT NULL,
    country         TEXT NOT NULL,
    address         TEXT NOT NULL,
    area_m2         TEXT NOT NULL,         -- decimal text, never a float
    nature          TEXT NOT NULL,
    document        TEXT,
    operator        TEXT,
    approved_at     INTEGER NOT NULL,
    application_id  TEXT REFERENCES applications (id)
);
CREATE INDEX overseas_warehouses_enterprise ON overseas_warehouses (enterprise_id, approved_at, id);
