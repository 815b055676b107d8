-- The officers' workbench (the web interface): hourly traffic aggregates
-- kept by the writer (see src/traffic.rs), and the indexes its pages read
-- through, so no page counts or scans the documents.
CREATE TABLE traffic_hourly (
    enterprise      TEXT COLLATE "C" NOT NULL,  -- sender enterprise id, or '*' for every enterprise
    hour            BIGINT NOT NULL,            -- UTC ms at the start of the hour
    kind            TEXT COLLATE "C" NOT NULL,  -- 'message' or a document kind
    message_type    TEXT COLLATE "C" NOT NULL,
    mode            TEXT COLLATE "C" NOT NULL,  -- 9610, 1210, 9710, 9810 or ''
    direction       TEXT COLLATE "C" NOT NULL,  -- import, export or ''
    return_status   TEXT COLLATE "C" NOT NULL,  -- the status or refusal code answered
    count           BIGINT NOT NULL,
    latency_n       BIGINT NOT NULL,
    latency_ms_sum  BIGINT NOT NULL,
    latency_ms_max  BIGINT NOT NULL,
    PRIMARY KEY (enterprise, hour, kind, message_type, mode, direction, return_status)
);

-- The queues of lists in review, inspection or detention, newest first,
-- and bounded counts of a status.
CREATE INDEX documents_status ON documents (status, updated_at, id);
-- Enterprises by the start of their name (search; byte order, as SQLite).
CREATE INDEX enterprises_name ON enterprises ((name COLLATE "C"));
