-- The PostgreSQL twin of the SQLite schema. Names and orderings compare
-- byte-wise (COLLATE "C"), as SQLite's do, so pages split the same way; the
-- ListUsers index holds its values as bytea for the same reason.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE pools (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    created BIGINT NOT NULL,
    modified BIGINT NOT NULL,
    settings TEXT NOT NULL,
    schema TEXT NOT NULL,
    tags TEXT NOT NULL
);

CREATE TABLE clients (
    id TEXT COLLATE "C" PRIMARY KEY,
    pool BIGINT NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret BYTEA,
    created BIGINT NOT NULL,
    modified BIGINT NOT NULL,
    settings TEXT NOT NULL
);
CREATE INDEX clients_by_pool ON clients(pool, id);

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool BIGINT NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    sub TEXT NOT NULL,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    created BIGINT NOT NULL,
    modified BIGINT NOT NULL,
    attributes TEXT NOT NULL,
    pending_attributes TEXT NOT NULL DEFAULT '{}',
    password BYTEA,
    password_expires BIGINT,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    last_failed_sign_in BIGINT,
    locked_until BIGINT,
    UNIQUE (pool, username_key),
    UNIQUE (pool, sub)
);

-- Sign-in names other than the username; the primary key makes each unique in its pool.
CREATE TABLE user_aliases (
    pool BIGINT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool, kind, value)
);
CREATE INDEX user_aliases_by_user ON user_aliases(user_id);

-- The values ListUsers filters on, so `=` and `^=` are index range scans.
CREATE TABLE user_index (
    pool BIGINT NOT NULL,
    attr TEXT NOT NULL,
    value BYTEA NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool, attr, value, user_id)
);
CREATE INDEX user_index_by_user ON user_index(user_id);

CREATE TABLE groups (
    pool BIGINT NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    description TEXT,
    precedence BIGINT,
    role_arn TEXT,
    created BIGINT NOT NULL,
    modified BIGINT NOT NULL,
    PRIMARY KEY (pool, name)
);

CREATE TABLE memberships (
    pool BIGINT NOT NULL,
    group_name TEXT COLLATE "C" NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool, group_name, user_id),
    FOREIGN KEY (pool, group_name) REFERENCES groups(pool, name) ON DELETE CASCADE
);
CREATE INDEX memberships_by_user ON memberships(user_id, group_name);

-- One live code per user and purpose, as a keyed hash; the user's row owns it.
CREATE TABLE codes (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    code_hash BYTEA NOT NULL,
    expires BIGINT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, purpose)
);

-- Token-signing keys, private halves sealed; a retired key stays for the JWKS.
CREATE TABLE signing_keys (
    pool BIGINT NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    purpose TEXT NOT NULL,
    private_key BYTEA NOT NULL,
    public_jwk TEXT NOT NULL,
    created BIGINT NOT NULL,
    retired BIGINT,
    PRIMARY KEY (pool, kid)
);

-- One row per sign-in: its refresh and access tokens share its origin_jti.
CREATE TABLE token_families (
    origin_jti TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    expires BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX token_families_by_user ON token_families(user_id);

CREATE TABLE refresh_tokens (
    token_hash BYTEA PRIMARY KEY,
    origin_jti TEXT NOT NULL REFERENCES token_families(origin_jti) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    superseded BIGINT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(origin_jti);
