-- Identity pools (the cognito-identity API). A pool is one JSON record (its
-- roles, role mappings, principal-tag maps and tags are read and written with
-- it); `id` and `created` are its unchanging part. Identities and logins refer
-- to their pool by a small integer key, as a user pool's rows do. `version`
-- counts the record's replacements: an update names the version it read and
-- is refused if another replaced the record since.
CREATE TABLE identity_pools (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    record TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);

-- Listed oldest first: by seq, the order they were created in.
CREATE TABLE identities (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    pool INTEGER NOT NULL REFERENCES identity_pools(seq) ON DELETE CASCADE,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL
);
CREATE INDEX identities_by_pool ON identities(pool, seq);

-- A provider's user linked to an identity; the primary key makes each login
-- belong to one identity of its pool. The identity's row owns it.
CREATE TABLE identity_logins (
    pool INTEGER NOT NULL,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    identity INTEGER NOT NULL REFERENCES identities(seq) ON DELETE CASCADE,
    PRIMARY KEY (pool, provider, subject)
) WITHOUT ROWID;
CREATE INDEX identity_logins_by_identity ON identity_logins(identity, provider, subject);

-- The identity service's OpenID-token signing keys: one install-wide set, not
-- a pool's. Private halves sealed; a retired key stays for the JWKS.
CREATE TABLE identity_signing_keys (
    kid TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    private_key BLOB NOT NULL,
    public_jwk TEXT NOT NULL,
    created INTEGER NOT NULL,
    retired INTEGER
);
