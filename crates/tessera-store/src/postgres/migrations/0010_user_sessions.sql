-- A token family is a token session (ListUserSessions): its latest use — when,
-- from which address, with which User-Agent — is kept with it, set at the
-- sign-in and overwritten by refreshes while the pool tracks sessions. Families
-- from before this migration were last used when they signed in.
ALTER TABLE token_families ADD COLUMN last_active BIGINT NOT NULL DEFAULT 0;
ALTER TABLE token_families ADD COLUMN last_ip TEXT;
ALTER TABLE token_families ADD COLUMN user_agent TEXT;
UPDATE token_families SET last_active = auth_time;
