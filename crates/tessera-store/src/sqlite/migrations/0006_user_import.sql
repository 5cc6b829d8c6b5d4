-- User import jobs: the job, its uploaded CSV file in chunks (so any node
-- can process it), its progress and the rows that failed. A node processing
-- a job holds its lease (owner, until).
CREATE TABLE user_import_jobs (
    seq INTEGER PRIMARY KEY,
    pool INTEGER NOT NULL REFERENCES pools(seq) ON DELETE CASCADE,
    job_id TEXT NOT NULL,
    job_name TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    created INTEGER NOT NULL,
    started INTEGER,
    completed INTEGER,
    completion_message TEXT,
    upload_expires INTEGER NOT NULL,
    upload_state TEXT NOT NULL,
    upload_bytes INTEGER,
    next_offset INTEGER NOT NULL DEFAULT 0,
    rows_read INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER,
    UNIQUE (pool, job_id)
);
CREATE INDEX user_import_jobs_by_status ON user_import_jobs(status, created);

CREATE TABLE user_import_chunks (
    job INTEGER NOT NULL REFERENCES user_import_jobs(seq) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (job, idx)
);

CREATE TABLE user_import_failures (
    job INTEGER NOT NULL REFERENCES user_import_jobs(seq) ON DELETE CASCADE,
    row_no INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (job, row_no)
);
