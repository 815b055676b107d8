-- Clearance: messages as received, documents and their keys, status moves,
-- receipts (pull cursor = seq), push outbox, quota ledger, counters.
CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    sender        TEXT NOT NULL,              -- enterprise id
    guid          TEXT,
    message_type  TEXT NOT NULL,
    received_at   INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    raw           BLOB NOT NULL,              -- exactly the bytes received
    response      BLOB                        -- the receipt answered
);
CREATE UNIQUE INDEX messages_sender_guid ON messages (sender, guid) WHERE guid IS NOT NULL;

CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    sender        TEXT NOT NULL,              -- enterprise code
    business_key  TEXT NOT NULL,
    keys          TEXT NOT NULL,              -- newline-separated, as in document_keys
    deadline      INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    message_id    TEXT,
    body          TEXT NOT NULL
);
CREATE INDEX documents_deadline ON documents (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX documents_updated ON documents (updated_at, id);
CREATE INDEX documents_business_key ON documents (business_key);

CREATE TABLE document_keys (
    key     TEXT NOT NULL,
    doc_id  TEXT NOT NULL,
    PRIMARY KEY (key, doc_id)
) WITHOUT ROWID;

CREATE TABLE document_parties (
    code    TEXT NOT NULL,
    doc_id  TEXT NOT NULL,
    PRIMARY KEY (code, doc_id)
) WITHOUT ROWID;

CREATE TABLE document_moves (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id       TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    event        TEXT,
    reason       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX document_moves_doc ON document_moves (doc_id, seq);

CREATE TABLE receipts (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    doc_id         TEXT,
    message_id     TEXT,
    message_type   TEXT NOT NULL,
    return_status  TEXT NOT NULL,
    return_info    TEXT NOT NULL,
    business_key   TEXT NOT NULL,
    xml            TEXT NOT NULL,
    issued_at      INTEGER NOT NULL
);
CREATE INDEX receipts_doc ON receipts (doc_id, seq);

CREATE TABLE receipt_recipients (
    code  TEXT NOT NULL,                      -- enterprise code (customs code or USCC)
    seq   INTEGER NOT NULL,
    PRIMARY KEY (code, seq)
) WITHOUT ROWID;

CREATE TABLE receipt_acks (
    enterprise  TEXT PRIMARY KEY,             -- enterprise id
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL
);

CREATE TABLE webhooks (
    enterprise  TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE webhook_codes (
    code        TEXT NOT NULL,
    enterprise  TEXT NOT NULL,
    PRIMARY KEY (code, enterprise)
) WITHOUT ROWID;

CREATE TABLE push_outbox (
    enterprise    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    state         TEXT NOT NULL,              -- pending | delivered | dead
    attempts      INTEGER NOT NULL,
    next_at       INTEGER NOT NULL,
    last_error    TEXT,
    delivered_at  INTEGER,
    PRIMARY KEY (enterprise, seq)
) WITHOUT ROWID;
CREATE INDEX push_outbox_pending ON push_outbox (state, enterprise, seq);

CREATE TABLE quota_ledger (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id  TEXT NOT NULL,
    key     TEXT NOT NULL,
    fen     INTEGER NOT NULL,
    reason  TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX quota_ledger_key ON quota_ledger (key);

CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);
