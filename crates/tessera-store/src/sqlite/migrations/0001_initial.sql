-- Pools are referenced by a small integer key so that per-user rows stay small.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE pools (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    settings TEXT NOT NULL,
    schema TEXT NOT NULL,
    tags TEXT NOT NULL
);

CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    pool INTEGER NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret BLOB,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    settings TEXT NOT NULL
);
CREATE INDEX clients_by_pool ON clients(pool, id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    pool INTEGER NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    sub TEXT NOT NULL,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    pending_attributes TEXT NOT NULL DEFAULT '{}',
    password BLOB,
    password_expires INTEGER,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    last_failed_sign_in INTEGER,
    locked_until INTEGER,
    UNIQUE (pool, username_key),
    UNIQUE (pool, sub)
);

-- Sign-in names other than the username; the primary key makes each unique in its pool.
CREATE TABLE user_aliases (
    pool INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool, kind, value)
) WITHOUT ROWID;
CREATE INDEX user_aliases_by_user ON user_aliases(user_id);

-- The values ListUsers filters on, so `=` and `^=` are index range scans.
CREATE TABLE user_index (
    pool INTEGER NOT NULL,
    attr TEXT NOT NULL,
    value TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool, attr, value, user_id)
) WITHOUT ROWID;
CREATE INDEX user_index_by_user ON user_index(user_id);

CREATE TABLE groups (
    pool INTEGER NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    precedence INTEGER,
    role_arn TEXT,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    PRIMARY KEY (pool, name)
);

CREATE TABLE memberships (
    pool INTEGER NOT NULL,
    group_name TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (pool, group_name, user_id),
    FOREIGN KEY (pool, group_name) REFERENCES groups(pool, name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX memberships_by_user ON memberships(user_id, group_name);

-- One live code per user and purpose, as a keyed hash; the user's row owns it.
CREATE TABLE codes (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    code_hash BLOB NOT NULL,
    expires INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, purpose)
) WITHOUT ROWID;

-- Token-signing keys, private halves sealed; a retired key stays for the JWKS.
CREATE TABLE signing_keys (
    pool INTEGER NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    purpose TEXT NOT NULL,
    private_key BLOB NOT NULL,
    public_jwk TEXT NOT NULL,
    created INTEGER NOT NULL,
    retired INTEGER,
    PRIMARY KEY (pool, kid)
);

-- One row per sign-in: its refresh and access tokens share its origin_jti.
CREATE TABLE token_families (
    origin_jti TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    auth_time INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX token_families_by_user ON token_families(user_id);

CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY,
    origin_jti TEXT NOT NULL REFERENCES token_families(origin_jti) ON DELETE CASCADE,
    created INTEGER NOT NULL,
    superseded INTEGER
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(origin_jti);
