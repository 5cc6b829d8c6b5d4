-- Users' auth events, recorded while a pool's advanced security is on; the
-- user's row owns them. `record` is the event's unchanging JSON members.
CREATE TABLE auth_events (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created INTEGER NOT NULL,
    record TEXT NOT NULL,
    feedback_value TEXT,
    feedback_provider TEXT,
    feedback_date INTEGER
);
CREATE INDEX auth_events_by_user ON auth_events(user_id, seq);

-- The append-only log of signed administrative changes. Pool ids are kept as
-- text, not references: an entry outlives the pool it names.
CREATE TABLE admin_audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    access_key_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    pool_id TEXT,
    resource_type TEXT NOT NULL,
    resource_id TEXT
);
CREATE INDEX admin_audit_log_by_pool ON admin_audit_log(pool_id, seq);
