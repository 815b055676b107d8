-- What this database holds: real traffic ('production') or an integrators'
-- sandbox ('sandbox'). Set once, by the first `cbec serve`; a server of the
-- other kind refuses to open it, so sandbox data never mixes with real data.
CREATE TABLE store_mode (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    mode    TEXT NOT NULL CHECK (mode IN ('production', 'sandbox')),
    set_at  INTEGER NOT NULL
);
