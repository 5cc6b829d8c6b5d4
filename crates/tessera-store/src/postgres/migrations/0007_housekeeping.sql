-- What housekeeping purges by: expiry, and the last failed sign-in (few
-- users have one, so the index holds only them).
CREATE INDEX codes_by_expiry ON codes(expires);
CREATE INDEX token_families_by_expiry ON token_families(expires);
CREATE INDEX users_by_last_failed_sign_in ON users(last_failed_sign_in)
    WHERE last_failed_sign_in IS NOT NULL;
