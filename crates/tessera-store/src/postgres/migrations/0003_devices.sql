-- Confirmed devices: the user's row owns them; the verifier is sealed.
CREATE TABLE devices (
    seq BIGSERIAL PRIMARY KEY,
    device_key TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT,
    verifier BYTEA NOT NULL,
    remembered BOOLEAN NOT NULL,
    created BIGINT NOT NULL,
    modified BIGINT NOT NULL,
    last_authenticated BIGINT,
    pending_challenge TEXT
);
CREATE INDEX devices_by_user ON devices(user_id, seq);

-- The device a sign-in was on; its refresh tokens work only from there.
ALTER TABLE token_families ADD COLUMN device_key TEXT;
