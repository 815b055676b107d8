-- Officers and API tokens. A token's owner is a principal in its display
-- form (`officer:ID`, `enterprise:ID`, `system:WHAT`); only the SHA-256 of
-- its secret is stored.
CREATE TABLE officers (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT officers_name_key UNIQUE (name)
);

CREATE TABLE api_tokens (
    id          TEXT COLLATE "C" PRIMARY KEY,
    owner       TEXT NOT NULL,
    hash        BYTEA NOT NULL CHECK (octet_length(hash) = 32),
    label       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    CONSTRAINT api_tokens_hash_key UNIQUE (hash)
);
CREATE INDEX api_tokens_owner ON api_tokens (owner, created_at);
