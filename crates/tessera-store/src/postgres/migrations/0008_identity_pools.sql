-- Identity pools (the cognito-identity API). A pool is one JSON record (its
-- roles, role mappings, principal-tag maps and tags are read and written with
-- it); `id` and `created` are its unchanging part. Identities and logins refer
-- to their pool by a small integer key, as a user pool's rows do. `version`
-- counts the record's replacements: an update names the version it read and
-- is refused if another replaced the record since.
CREATE TABLE identity_pools (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    created BIGINT NOT NULL,
    record TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0
);

-- Listed oldest first: by seq, the order they were created in.
CREATE TABLE identities (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    pool BIGINT NOT NULL REFERENCES identity_pools(seq) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    modified BIGINT NOT NULL
);
CREATE INDEX identities_by_pool ON identities(pool, seq);

-- A provider's user linked to an identity; the primary key makes each login
-- belong to one identity of its pool. The identity's row owns it.
CREATE TABLE identity_logins (
    pool BIGINT NOT NULL,
    provider TEXT COLLATE "C" NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    identity BIGINT NOT NULL REFERENCES identities(seq) ON DELETE CASCADE,
    PRIMARY KEY (pool, provider, subject)
);
CREATE INDEX identity_logins_by_identity ON identity_logins(identity, provider, subject);

-- The identity service's OpenID-token signing keys: one install-wide set, not
-- a pool's. Private halves sealed; a retired key stays for the JWKS.
CREATE TABLE identity_signing_keys (
    kid TEXT COLLATE "C" PRIMARY KEY,
    purpose TEXT NOT NULL,
    private_key BYTEA NOT NULL,
    public_jwk TEXT NOT NULL,
    created BIGINT NOT NULL,
    retired BIGINT
);
