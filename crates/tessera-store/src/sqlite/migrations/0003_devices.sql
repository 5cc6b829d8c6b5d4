-- Confirmed devices: the user's row owns them; the verifier is sealed.
CREATE TABLE devices (
    seq INTEGER PRIMARY KEY,
    device_key TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT,
    verifier BLOB NOT NULL,
    remembered INTEGER NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    last_authenticated INTEGER,
    pending_challenge TEXT
);
CREATE INDEX devices_by_user ON devices(user_id, seq);

-- The device a sign-in was on; its refresh tokens work only from there.
ALTER TABLE token_families ADD COLUMN device_key TEXT;
