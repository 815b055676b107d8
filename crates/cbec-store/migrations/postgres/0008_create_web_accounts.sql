-- Accounts of the web interface (see src/web.rs): a password per officer or
-- enterprise (a PHC string of a memory-hard KDF, never the password), and
-- browser sessions. A session's id is the SHA-256 (hex) of its random
-- token: the token itself is only in the browser's cookie.
CREATE TABLE web_passwords (
    principal   TEXT PRIMARY KEY,               -- officer:ID or enterprise:ID
    hash        TEXT NOT NULL,                  -- PHC string ($argon2id$…)
    set_at      BIGINT NOT NULL
);

CREATE TABLE web_sessions (
    id          TEXT PRIMARY KEY,               -- SHA-256 hex of the token
    principal   TEXT NOT NULL,
    csrf        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL
);
CREATE INDEX web_sessions_principal ON web_sessions (principal);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
