-- A user's second factors (preferences, sealed software-token secrets), and
-- the secret and step of the last TOTP code accepted, which only the store's
-- replay check moves.
ALTER TABLE users ADD COLUMN mfa TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
