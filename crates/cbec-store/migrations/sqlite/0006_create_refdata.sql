-- Goods reference data (tariff, positive list, prohibited goods), one row
-- per imported version with its validated CSV; see src/refdata.rs.
CREATE TABLE refdata_versions (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    effective_from  TEXT NOT NULL,              -- YYYY-MM-DD
    imported_at     INTEGER NOT NULL,
    imported_by     TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    rows            INTEGER NOT NULL,
    source          TEXT NOT NULL,
    content         TEXT NOT NULL,
    UNIQUE (kind, version)
);
CREATE INDEX refdata_versions_effective ON refdata_versions (kind, effective_from, version);
