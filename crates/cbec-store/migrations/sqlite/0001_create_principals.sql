-- Officers and API tokens. A token's owner is a principal in its display
-- form (`officer:ID`, `enterprise:ID`, `system:WHAT`); only the SHA-256 of
-- its secret is stored.
CREATE TABLE officers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT officers_name_key UNIQUE (name)
);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    hash        BLOB NOT NULL CHECK (length(hash) = 32),
    label       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    CONSTRAINT api_tokens_hash_key UNIQUE (hash)
);
CREATE INDEX api_tokens_owner ON api_tokens (owner, created_at);
