"""User import jobs (CreateUserImportJob & co.) with boto3, the file PUT with
plain `requests` to the job's PreSignedUrl, as Cognito's docs tell users to."""

import os
import threading
import time

import pytest
import requests
from botocore.exceptions import ClientError

from tessera_e2e.aws import make_client
from tessera_e2e.flows import latest_code, make_pool, unique
from tessera_e2e.server import E2E_STORE, run_tessera

ROLE = "arn:aws:iam::123456789012:role/CognitoImportRole"
PASSWORD = "Imp0rted-Passw0rd!"
# The headers Cognito's developer guide gives for the upload (curl example).
PUT_HEADERS = {"x-amz-server-side-encryption": "aws:kms", "Content-Type": "text/csv"}

STANDARD = [
    "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
    "profile", "picture", "website", "email", "email_verified", "gender", "birthdate",
    "zoneinfo", "locale", "phone_number", "phone_number_verified", "address", "updated_at",
]


def import_pool(cognito, **extra):
    return make_pool(cognito, AutoVerifiedAttributes=["email"], **extra)


def header(cognito, pool_id):
    return cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]


def csv_line(columns, values: dict) -> str:
    return ",".join(values.get(c, "") for c in columns) + "\n"


def user_values(username, email=None, verified="true", mfa="false"):
    return {
        "cognito:username": username,
        "email": email or f"{username}@example.com",
        "email_verified": verified,
        "cognito:mfa_enabled": mfa,
    }


def create_job(cognito, pool_id):
    return cognito.create_user_import_job(
        UserPoolId=pool_id, JobName=unique("job"), CloudWatchLogsRoleArn=ROLE
    )["UserImportJob"]


def describe(cognito, pool_id, job_id):
    return cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]


def wait_status(cognito, pool_id, job_id, statuses, timeout=120):
    deadline = time.time() + timeout
    while True:
        job = describe(cognito, pool_id, job_id)
        if job["Status"] in statuses:
            return job
        assert time.time() < deadline, f"job still {job['Status']}: {job}"
        time.sleep(0.2)


def error_code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def failures(srv, pool_id, job_id):
    """Failed rows as the documented CLI prints them: {row: reason}."""
    args = ["import-failures", "--pool-id", pool_id, "--job-id", job_id]
    env = {}
    if srv.data_dir is not None:
        args += ["--data-dir", srv.data_dir]
    if E2E_STORE:
        args += ["--store", E2E_STORE]
        env["TESSERA_POSTGRES_SCHEMA"] = srv.process_env()["TESSERA_POSTGRES_SCHEMA"]
    result = run_tessera(srv.bin_path, *args, env=env)
    assert result.returncode == 0, result.output
    rows = {}
    for line in result.stdout.splitlines():
        row, reason = line.split("\t", 1)
        rows[int(row)] = reason
    return rows


def test_csv_header_is_cognitos_with_custom_attributes(cognito):
    pool_id = import_pool(
        cognito, Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}]
    )
    resp = cognito.get_csv_header(UserPoolId=pool_id)
    assert resp["UserPoolId"] == pool_id
    assert resp["CSVHeader"] == STANDARD + ["custom:tier", "cognito:mfa_enabled", "cognito:username"]


def test_job_lifecycle_counters_and_row_failures(server, cognito):
    pool_id = import_pool(cognito)
    job = create_job(cognito, pool_id)
    assert job["Status"] == "Created"
    assert job["JobId"].startswith("import-")
    assert job["CloudWatchLogsRoleArn"] == ROLE
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (0, 0, 0)
    url = job["PreSignedUrl"]
    assert url.startswith(server.url + "/_tessera/user-import/")

    # Starting before the file is there is refused.
    with pytest.raises(ClientError) as e:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(e) == "PreconditionNotMetException"

    cols = header(cognito, pool_id)
    body = ",".join(cols) + "\n"
    body += csv_line(cols, user_values("ann"))                                   # row 1 ok
    body += csv_line(cols, user_values("bob", verified="yes"))                   # row 2 bad flag
    body += csv_line(cols, user_values("ann", email="ann2@example.com"))         # row 3 duplicate
    body += csv_line(cols, user_values("", email="nobody@example.com"))          # row 4 no username
    body += csv_line(cols, user_values("cid", verified="false"))                 # row 5 unverified
    body += csv_line(cols, {"cognito:username": "dan", "email_verified": "true",
                            "cognito:mfa_enabled": "false"})                    # row 6 no email
    body += "eve,too,few\n"                                                     # row 7 short row
    body += csv_line(cols, {})                                                  # row 8 empty: skipped
    body += csv_line(cols, user_values("fay", mfa="maybe"))                     # row 9 bad mfa flag
    body += csv_line(cols, user_values("gus"))                                   # row 10 ok

    # A tampered signature is refused, in S3's XML error form.
    bad = url[:-1] + ("0" if url[-1] != "0" else "1")
    r = requests.put(bad, data=body, headers=PUT_HEADERS, timeout=30)
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text
    r = requests.put(url.split("&signature=")[0], data=body, headers=PUT_HEADERS, timeout=30)
    assert r.status_code == 403

    r = requests.put(url, data=body, headers=PUT_HEADERS, timeout=30)
    assert r.status_code == 200, r.text
    # The URL is good for one upload.
    r = requests.put(url, data=body, headers=PUT_HEADERS, timeout=30)
    assert r.status_code == 403 and "used already" in r.text

    started = cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert started["Status"] in ("Pending", "InProgress", "Succeeded")
    with pytest.raises(ClientError) as e:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(e) == "PreconditionNotMetException"

    done = wait_status(cognito, pool_id, job["JobId"], {"Succeeded", "Failed"})
    assert done["Status"] == "Succeeded", done
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (2, 1, 7)
    assert done["StartDate"] >= done["CreationDate"]
    assert done["CompletionDate"] >= done["StartDate"]
    assert "7 failed" in done["CompletionMessage"]

    reasons = failures(server, pool_id, job["JobId"])
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 9]
    assert "email_verified must be true or false" in reasons[2]
    assert "already exists" in reasons[3]
    assert "cognito:username is required" in reasons[4]
    assert "email_verified must be true" in reasons[5]
    assert "email is empty" in reasons[6]
    assert "fields" in reasons[7]
    assert "cognito:mfa_enabled must be true or false" in reasons[9]

    users = cognito.list_users(UserPoolId=pool_id)["Users"]
    assert sorted(u["Username"] for u in users) == ["ann", "gus"]
    assert {u["UserStatus"] for u in users} == {"RESET_REQUIRED"}

    with pytest.raises(ClientError) as e:
        cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(e) == "PreconditionNotMetException"

    listed = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=10)["UserImportJobs"]
    assert [j["JobId"] for j in listed] == [job["JobId"]]
    assert listed[0]["ImportedUsers"] == 2

    with pytest.raises(ClientError) as e:
        describe(cognito, pool_id, "import-doesnotexist")
    assert error_code(e) == "ResourceNotFoundException"


def test_list_paginates_and_needs_max_results(cognito, lax):
    pool_id = import_pool(cognito)
    ids = [create_job(cognito, pool_id)["JobId"] for _ in range(3)]
    page = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2)
    assert len(page["UserImportJobs"]) == 2 and page["PaginationToken"]
    rest = cognito.list_user_import_jobs(
        UserPoolId=pool_id, MaxResults=2, PaginationToken=page["PaginationToken"]
    )
    assert [j["JobId"] for j in page["UserImportJobs"] + rest["UserImportJobs"]] == ids
    assert "PaginationToken" not in rest
    with pytest.raises(ClientError) as e:
        lax.list_user_import_jobs(UserPoolId=pool_id)
    assert error_code(e) == "InvalidParameterException"


def test_a_header_that_is_not_the_pools_fails_the_job(server, cognito):
    pool_id = import_pool(cognito)
    job = create_job(cognito, pool_id)
    r = requests.put(job["PreSignedUrl"], data="cognito:username,email,shoe_size\nann,a@example.com,9\n",
                     headers=PUT_HEADERS, timeout=30)
    assert r.status_code == 200
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_status(cognito, pool_id, job["JobId"], {"Succeeded", "Failed"})
    assert done["Status"] == "Failed"
    assert "shoe_size" in done["CompletionMessage"] and "cognito:mfa_enabled" in done["CompletionMessage"]


def test_imported_users_reset_their_password_then_sign_in(server, cognito):
    pool_id = import_pool(cognito)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    job = create_job(cognito, pool_id)
    cols = header(cognito, pool_id)
    email = f"{unique('imp')}@example.com"
    body = ",".join(cols) + "\n" + csv_line(cols, user_values("imported", email=email))
    assert requests.put(job["PreSignedUrl"], data=body, headers=PUT_HEADERS, timeout=30).status_code == 200
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert wait_status(cognito, pool_id, job["JobId"], {"Succeeded"})["ImportedUsers"] == 1

    user = cognito.admin_get_user(UserPoolId=pool_id, Username="imported")
    assert user["UserStatus"] == "RESET_REQUIRED"
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email"] == email and attrs["email_verified"] == "true"

    with pytest.raises(ClientError) as e:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "imported", "PASSWORD": PASSWORD})
    assert error_code(e) == "PasswordResetRequiredException"

    cognito.forgot_password(ClientId=client_id, Username="imported")
    code = latest_code(server, pool_id, email)
    cognito.confirm_forgot_password(ClientId=client_id, Username="imported",
                                    ConfirmationCode=code, Password=PASSWORD)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="imported")["UserStatus"] == "CONFIRMED"
    auth = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "imported", "PASSWORD": PASSWORD})
    assert auth["AuthenticationResult"]["AccessToken"]


def rows(cols, count, prefix):
    """The file, streamed: header then `count` valid users."""
    yield (",".join(cols) + "\n").encode()
    buf = []
    for i in range(count):
        buf.append(csv_line(cols, user_values(f"{prefix}{i:07d}")))
        if len(buf) == 2000:
            yield "".join(buf).encode()
            buf = []
    if buf:
        yield "".join(buf).encode()


def import_config(batch_rows=500, lease_seconds=30):
    return f"""
[user_import]
batch_rows = {batch_rows}
lease_seconds = {lease_seconds}
poll_millis = 100
"""


@pytest.mark.slow
def test_stop_ends_the_job_at_a_batch_boundary(start_server):
    srv = start_server(config_toml=import_config(batch_rows=50))
    c = make_client(srv)
    pool_id = import_pool(c)
    job = create_job(c, pool_id)
    total = 20_000
    r = requests.put(job["PreSignedUrl"], data=rows(header(c, pool_id), total, "s"), headers=PUT_HEADERS, timeout=120)
    assert r.status_code == 200
    c.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    wait_status(c, pool_id, job["JobId"], {"InProgress"})
    stopping = c.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert stopping["Status"] in ("Stopping", "Stopped")
    done = wait_status(c, pool_id, job["JobId"], {"Stopped", "Succeeded"})
    assert done["Status"] == "Stopped", done
    assert 0 < done["ImportedUsers"] < total
    assert done["ImportedUsers"] % 50 == 0
    assert c.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == done["ImportedUsers"]


@pytest.mark.slow
def test_an_import_resumes_after_the_server_is_killed(start_server):
    srv = start_server(config_toml=import_config(batch_rows=200, lease_seconds=2))
    c = make_client(srv)
    pool_id = import_pool(c)
    job = create_job(c, pool_id)
    total = 30_000
    r = requests.put(job["PreSignedUrl"], data=rows(header(c, pool_id), total, "r"), headers=PUT_HEADERS, timeout=120)
    assert r.status_code == 200
    c.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    deadline = time.time() + 60
    while describe(c, pool_id, job["JobId"])["ImportedUsers"] == 0:
        assert time.time() < deadline
        time.sleep(0.05)
    srv.kill()
    srv.restart()
    c = make_client(srv)
    # Killed mid-import: the restarted node waits out the dead one's lease
    # (2 s here), so the job still shows where its last committed batch ended.
    before = describe(c, pool_id, job["JobId"])
    assert before["Status"] == "InProgress", before
    assert 0 < before["ImportedUsers"] < total
    assert before["ImportedUsers"] % 200 == 0, "progress moves by whole batches"
    done = wait_status(c, pool_id, job["JobId"], {"Succeeded", "Failed"})
    assert done["Status"] == "Succeeded", done
    # A row imported twice would fail as "already exists"; a skipped one would be missing.
    assert (done["ImportedUsers"], done["FailedUsers"], done["SkippedUsers"]) == (total, 0, 0)
    assert c.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == total


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.slow
def test_a_100k_row_file_imports_with_flat_memory(start_server):
    srv = start_server(config_toml=import_config())
    c = make_client(srv)
    pool_id = import_pool(c)
    job = create_job(c, pool_id)
    total = 100_000
    cols = header(c, pool_id)
    baseline = rss_kib(srv.proc.pid)
    peak = [baseline]
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            peak[0] = max(peak[0], rss_kib(srv.proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.time()
    r = requests.put(job["PreSignedUrl"], data=rows(cols, total, "u"), headers=PUT_HEADERS, timeout=300)
    assert r.status_code == 200, r.text
    t1 = time.time()
    c.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    done = wait_status(c, pool_id, job["JobId"], {"Succeeded", "Failed"}, timeout=600)
    t2 = time.time()
    sampling.set()
    sampler.join()
    assert done["Status"] == "Succeeded", done
    assert (done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (total, 0, 0)
    assert c.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == total
    size_mib = sum(len(b) for b in rows(cols, total, "u")) / 2**20
    print(
        f"\nuser import, {total} rows ({size_mib:.1f} MiB), store={'postgres' if E2E_STORE else 'sqlite'}: "
        f"RSS baseline {baseline / 1024:.1f} MiB, peak {peak[0] / 1024:.1f} MiB; "
        f"upload {t1 - t0:.1f} s, import {t2 - t1:.1f} s ({total / (t2 - t1):.0f} rows/s)"
    )
    # Flat: the file (several MiB) is never held whole; generous for allocator slack.
    assert peak[0] - baseline < 64 * 1024, (baseline, peak[0])


def test_the_upload_url_expires_and_an_unstarted_job_expires(start_server):
    srv = start_server(env={"TESSERA_TEST_CLOCK": "true"})
    c = make_client(srv)
    pool_id = import_pool(c)
    job = create_job(c, pool_id)
    moved = requests.post(f"{srv.url}/_tessera/clock", json={"offset_seconds": 901}, timeout=10)
    assert moved.status_code == 200, moved.text
    r = requests.put(job["PreSignedUrl"], data="x\n", headers=PUT_HEADERS, timeout=30)
    assert r.status_code == 403 and "Request has expired" in r.text
    requests.post(f"{srv.url}/_tessera/clock", json={"offset_seconds": 86_401}, timeout=10)
    assert describe(c, pool_id, job["JobId"])["Status"] == "Expired"
    with pytest.raises(ClientError) as e:
        c.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_code(e) == "PreconditionNotMetException"


def test_a_file_over_the_size_cap_is_refused_and_the_url_works_again(start_server):
    srv = start_server(config_toml="[user_import]\nmax_file_bytes = 4096\n")
    c = make_client(srv)
    pool_id = import_pool(c)
    job = create_job(c, pool_id)
    cols = header(c, pool_id)
    r = requests.put(job["PreSignedUrl"], data=rows(cols, 1000, "big"), headers=PUT_HEADERS, timeout=30)
    assert r.status_code == 400 and "<Code>EntityTooLarge</Code>" in r.text
    body = ",".join(cols) + "\n" + csv_line(cols, user_values("small"))
    r = requests.put(job["PreSignedUrl"], data=body, headers=PUT_HEADERS, timeout=30)
    assert r.status_code == 200, r.text
    c.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert wait_status(c, pool_id, job["JobId"], {"Succeeded"})["ImportedUsers"] == 1


@pytest.fixture(scope="module")
def shared_pg():
    """A private PostgreSQL cluster for two nodes, as test_multi_node.py starts one."""
    import base64

    from private_postgres import PostgresUnavailable, PrivatePostgres

    try:
        pg = PrivatePostgres()
        pg.init().start()
    except PostgresUnavailable as e:
        pytest.fail(f"the two-node import test needs a private PostgreSQL server: {e}", pytrace=False)
    try:
        yield pg, {"TESSERA_KEY_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode()}
    finally:
        pg.destroy()


@pytest.mark.slow
def test_on_two_nodes_one_imports_and_the_other_resumes_when_it_dies(start_server, shared_pg):
    pg, env = shared_pg
    public = "http://127.0.0.1:1"  # each node's own address replaces it below
    nodes = [
        start_server(config_toml=import_config(batch_rows=200, lease_seconds=2), env=env,
                     args=["--store", pg.url, "--public-url", public])
        for _ in range(2)
    ]
    c = make_client(nodes[0])
    pool_id = import_pool(c)
    job = create_job(c, pool_id)
    total = 40_000
    # Uploaded through the second node: the file lives in the shared store.
    url = job["PreSignedUrl"].replace(public, nodes[1].url)
    r = requests.put(url, data=rows(header(c, pool_id), total, "m"), headers=PUT_HEADERS, timeout=120)
    assert r.status_code == 200, r.text
    c.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    deadline = time.time() + 60
    while describe(c, pool_id, job["JobId"])["ImportedUsers"] == 0:
        assert time.time() < deadline
        time.sleep(0.05)
    def imports(node):
        return any("importing users" in line and job["JobId"] in line for line in node.stderr_text().splitlines())

    claimed = [n for n in nodes if imports(n)]
    assert len(claimed) == 1, "one node holds the job"
    worker = claimed[0]
    other = nodes[1] if worker is nodes[0] else nodes[0]
    worker.kill()
    c = make_client(other)
    done = wait_status(c, pool_id, job["JobId"], {"Succeeded", "Failed"})
    assert done["Status"] == "Succeeded", done
    assert (done["ImportedUsers"], done["FailedUsers"], done["SkippedUsers"]) == (total, 0, 0)
    assert imports(other), "the surviving node resumed the job"
    assert c.describe_user_pool(UserPoolId=pool_id)["UserPool"]["EstimatedNumberOfUsers"] == total
