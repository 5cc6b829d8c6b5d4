-- Configuration a pool keeps as whole documents (resource servers, UI
-- customization, managed-login branding, terms), by kind and key.
CREATE TABLE pool_documents (
    pool INTEGER NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (pool, kind, key)
);

-- A pool's prefix or custom domain; unique across pools, one of each kind per pool.
CREATE TABLE domains (
    domain TEXT PRIMARY KEY,
    pool INTEGER NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    custom INTEGER NOT NULL,
    settings TEXT NOT NULL
);
CREATE UNIQUE INDEX domains_one_of_each_kind ON domains(pool, custom);

-- Authorization codes by keyed hash; the grant is sealed by the core.
-- `family` is set by the one redemption that wins, `replayed` by any later one.
CREATE TABLE authorization_codes (
    code_hash BLOB PRIMARY KEY,
    pool INTEGER NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    expires INTEGER NOT NULL,
    grant_sealed BLOB NOT NULL,
    family TEXT,
    replayed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX authorization_codes_by_expiry ON authorization_codes(expires);

-- The scopes an OAuth sign-in was granted, for its refreshes.
ALTER TABLE token_families ADD COLUMN scopes TEXT;
