-- The officers' workbench (the web interface): hourly traffic aggregates
-- kept by the writer (see src/traffic.rs), and the indexes its pages read
-- through, so no page counts or scans the documents.
CREATE TABLE traffic_hourly (
    enterprise      TEXT NOT NULL,              -- sender enterprise id, or '*' for every enterprise
    hour            INTEGER NOT NULL,           -- UTC ms at the start of the hour
    kind            TEXT NOT NULL,              -- 'message' or a document kind
    message_type    TEXT NOT NULL,
    mode            TEXT NOT NULL,              -- 9610, 1210, 9710, 9810 or ''
    direction       TEXT NOT NULL,              -- import, export or ''
    return_status   TEXT NOT NULL,              -- the status or refusal code answered
    count           INTEGER NOT NULL,
    latency_n       INTEGER NOT NULL,
    latency_ms_sum  INTEGER NOT NULL,
    latency_ms_max  INTEGER NOT NULL,
    PRIMARY KEY (enterprise, hour, kind, message_type, mode, direction, return_status)
) WITHOUT ROWID;

-- The queues of lists in review, inspection or detention, newest first,
-- and bounded counts of a status.
CREATE INDEX documents_status ON documents (status, updated_at, id);
-- Enterprises by the start of their name (search).
CREATE INDEX enterprises_name ON enterprises (name);
