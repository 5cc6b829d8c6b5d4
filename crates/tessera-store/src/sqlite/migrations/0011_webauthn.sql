-- Passkeys (WebAuthn). A credential row holds the WebAuthn library's record of
-- the credential (COSE public key, sign counter, flags) as JSON: public keys
-- only. `last_challenge` is the challenge of the last assertion accepted, so a
-- replay is refused even by an authenticator that keeps no counter.
CREATE TABLE webauthn_credentials (
    seq INTEGER PRIMARY KEY,
    credential_id TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    relying_party_id TEXT NOT NULL,
    attachment TEXT,
    transports TEXT NOT NULL,
    credential TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_used INTEGER,
    last_challenge TEXT
);
CREATE INDEX webauthn_credentials_by_user ON webauthn_credentials(user_id, seq);

-- The registration StartWebAuthnRegistration began, one per user, until
-- CompleteWebAuthnRegistration takes it or it expires.
CREATE TABLE webauthn_registrations (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    client TEXT NOT NULL,
    state TEXT NOT NULL,
    expires INTEGER NOT NULL
);
