-- User import jobs: the job, its uploaded CSV file in chunks (so any node
-- can process it), its progress and the rows that failed. A node processing
-- a job holds its lease (owner, until).
CREATE TABLE user_import_jobs (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool BIGINT NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    job_id TEXT COLLATE "C" NOT NULL,
    job_name TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL,
    started BIGINT,
    completed BIGINT,
    completion_message TEXT,
    upload_expires BIGINT NOT NULL,
    upload_state TEXT NOT NULL,
    upload_bytes BIGINT,
    next_offset BIGINT NOT NULL DEFAULT 0,
    rows_read BIGINT NOT NULL DEFAULT 0,
    imported BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    UNIQUE (pool, job_id)
);
CREATE INDEX user_import_jobs_by_status ON user_import_jobs(status, created);

CREATE TABLE user_import_chunks (
    job BIGINT NOT NULL REFERENCES user_import_jobs(seq) ON DELETE CASCADE,
    idx BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (job, idx)
);

CREATE TABLE user_import_failures (
    job BIGINT NOT NULL REFERENCES user_import_jobs(seq) ON DELETE CASCADE,
    row_no BIGINT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (job, row_no)
);
