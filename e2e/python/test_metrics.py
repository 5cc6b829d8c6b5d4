"""Prometheus metrics and JSON logs, proven by a scripted run.

A private server (with a trigger hook) takes a known sequence of calls from boto3 and
pycognito; `GET /metrics` afterwards, parsed here by hand from Prometheus's text exposition
format, must show exactly the counts that run made: API requests by operation and outcome
(with the latency histogram's _count matching), sign-in steps by flow and result, the one
lockout, trigger invocations by trigger, source and outcome, deliveries by channel, and store
latency for the engine the server runs on. A second set of tests starts servers with
`log_format = "json"` (file) or TESSERA_LOG_FORMAT=json (environment): every stderr line is
one JSON object with timestamp, level, target and message, and no password of the run
appears anywhere in the logs.

Facts from Tessera's own design (README "Metrics and logs"): awsJson requests count under the
X-Amz-Target operation ("unknown" for a target the model lacks) with outcome "ok" or the
error `__type`; other routes count under their path template; operator endpoints (/metrics,
/health, /ready, /_tessera/*) are not counted. A sign-in counts once per step: the first
under the AuthFlow, each answer under the challenge answered. Lockout (Cognito's documented
rule): the fifth wrong password in a row locks the user; a check refused while locked is a
failure but no new lockout.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections import defaultdict

import pytest
import requests

from tessera_e2e.aws import expect_error, make_client, raw_call
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    LOCKED,
    WRONG_PASSWORD,
    confirmed_user,
    make_app_client,
    make_pool,
    outbox,
    password_auth,
    refresh,
    sign_in,
    sign_up,
    srp_sign_in,
    unique,
)
from tessera_e2e.hosted import Browser, callback_params, domain_url, resolve_localhost_subdomains
from tessera_e2e.server import E2E_STORE
from tessera_e2e.triggers import ACCOUNT, REGION, TriggerServer, echo, lambda_arn, mapping_toml, refuse

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(server) -> dict[str, dict[tuple, float]]:
    """GET /metrics, parsed: {metric name: {sorted (label, value) pairs: sample value}}."""
    resp = requests.get(server.url + "/metrics", timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain; version=0.0.4"), resp.headers
    families: dict[str, dict[tuple, float]] = defaultdict(dict)
    for line in resp.text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        pairs = tuple(sorted(LABEL.findall(labels or "")))
        families[name][pairs] = float(value)
    return families


def by(family: dict[tuple, float], *keys: str) -> dict[tuple, float]:
    """The family's samples keyed by the values of `keys` (summed over other labels)."""
    out: dict[tuple, float] = defaultdict(float)
    for pairs, value in family.items():
        labels = dict(pairs)
        out[tuple(labels.get(k) for k in keys)] += value
    return dict(out)


@pytest.fixture
def hooks():
    with TriggerServer() as hook:
        yield hook


def test_metrics_show_the_counts_of_a_scripted_run(start_server, hooks):
    config = mapping_toml(hooks.url, arn_prefix=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:")
    server = start_server(config)
    cognito = make_client(server)
    hooks.handler = echo

    pool_id = make_pool(cognito, LambdaConfig={"PreSignUp": lambda_arn("presignup")},
                        AutoVerifiedAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "alice")  # AdminCreateUser (PreSignUp) + AdminSetUserPassword
    confirmed_user(cognito, pool_id, "carol")
    confirmed_user(cognito, pool_id, "gina")

    # Three sign-ins with USER_PASSWORD_AUTH; one with SRP (pycognito); one refresh.
    tokens = [sign_in(cognito, client_id, "alice") for _ in range(3)]
    assert srp_sign_in(server, pool_id, client_id, "alice")["AuthenticationResult"]["AccessToken"]
    refresh(cognito, client_id, tokens[0]["RefreshToken"])

    # Five wrong passwords: the fifth locks carol out; a sixth is refused by the lockout.
    for attempt in range(6):
        with expect_error("NotAuthorizedException") as caught:
            password_auth(cognito, client_id, "carol", "Wrong-Passw0rd!")
        expected = {WRONG_PASSWORD} if attempt < 4 else {WRONG_PASSWORD, LOCKED}
        assert caught.message in (expected if attempt < 5 else {LOCKED}), caught.error

    # Four wrong passwords, then the right one: the check that would have locked gina
    # proved right, so no lockout stands.
    for _ in range(4):
        with expect_error("NotAuthorizedException", WRONG_PASSWORD):
            password_auth(cognito, client_id, "gina", "Wrong-Passw0rd!")
    sign_in(cognito, client_id, "gina")

    # One SignUp whose verification code reaches the dev outbox; one the trigger refuses.
    email = f"{unique('bob')}@example.com"
    sign_up(cognito, client_id, "bob", email=email)
    assert len(outbox(server, pool_id=pool_id, recipient=email)) == 1
    hooks.handler = refuse("no sign-ups today")
    with expect_error("UserLambdaValidationException"):
        sign_up(cognito, client_id, "dave", email=f"{unique('dave')}@example.com")

    # Failing calls: an unknown pool twice, an operation the model lacks once.
    for _ in range(2):
        with expect_error("ResourceNotFoundException"):
            cognito.describe_user_pool(UserPoolId="us-east-1_NoSuchPool")
    bogus = raw_call(server, "NoSuchOperation")
    assert bogus.status_code == 400 and bogus.json()["__type"] == "UnknownOperationException"

    # A route beside the API: the pool's JWKS.
    assert requests.get(f"{server.url}/{pool_id}/.well-known/jwks.json", timeout=10).status_code == 200
    # Operator endpoints are not counted.
    assert requests.get(server.url + "/health", timeout=10).status_code == 200
    scrape(server)

    metrics = scrape(server)
    requests_by_op = by(metrics["tessera_api_requests_total"], "operation", "outcome")
    assert requests_by_op == {
        ("CreateUserPool", "ok"): 1,
        ("CreateUserPoolClient", "ok"): 1,
        ("AdminCreateUser", "ok"): 3,
        ("AdminSetUserPassword", "ok"): 3,
        ("AdminGetUser", "ok"): 3,
        # 4 password sign-ins, the SRP start, the refresh.
        ("InitiateAuth", "ok"): 6,
        ("InitiateAuth", "NotAuthorizedException"): 10,
        ("RespondToAuthChallenge", "ok"): 1,
        ("SignUp", "ok"): 1,
        ("SignUp", "UserLambdaValidationException"): 1,
        ("DescribeUserPool", "ResourceNotFoundException"): 2,
        ("unknown", "UnknownOperationException"): 1,
    }, requests_by_op

    per_op: dict[str, float] = defaultdict(float)
    for (operation, _), count in requests_by_op.items():
        per_op[operation] += count
    latency_counts = by(metrics["tessera_api_request_duration_seconds_count"], "operation")
    assert latency_counts == {(op,): n for op, n in per_op.items()}, latency_counts
    # Every request falls in the histogram's last (+Inf) bucket.
    inf = {k: v for k, v in by(metrics["tessera_api_request_duration_seconds_bucket"], "operation", "le").items()
           if k[1] == "+Inf"}
    assert inf == {(op, "+Inf"): n for op, n in per_op.items()}, inf

    routes = by(metrics["tessera_http_requests_total"], "route", "outcome")
    assert routes == {("/{pool}/.well-known/jwks.json", "ok"): 1}, routes
    assert by(metrics["tessera_http_request_duration_seconds_count"], "route") == {
        ("/{pool}/.well-known/jwks.json",): 1
    }

    sign_ins = by(metrics["tessera_sign_ins_total"], "flow", "result")
    assert sign_ins == {
        ("USER_PASSWORD_AUTH", "success"): 4,
        ("USER_PASSWORD_AUTH", "failure"): 10,
        ("USER_SRP_AUTH", "challenge"): 1,
        ("PASSWORD_VERIFIER", "success"): 1,
        ("REFRESH_TOKEN_AUTH", "success"): 1,
    }, sign_ins

    assert metrics["tessera_lockouts_total"] == {(): 1}, metrics["tessera_lockouts_total"]

    triggers = by(metrics["tessera_trigger_invocations_total"], "trigger", "source", "outcome")
    assert triggers == {
        ("PreSignUp", "PreSignUp_AdminCreateUser", "ok"): 3,
        ("PreSignUp", "PreSignUp_SignUp", "ok"): 1,
        ("PreSignUp", "PreSignUp_SignUp", "function_error"): 1,
    }, triggers
    assert by(metrics["tessera_trigger_duration_seconds_count"], "trigger") == {("PreSignUp",): 5}

    deliveries = by(metrics["tessera_message_deliveries_total"], "channel", "outcome")
    assert deliveries == {("email", "ok"): 1}, deliveries

    engine = "postgres" if E2E_STORE else "sqlite"
    store = by(metrics["tessera_store_operation_duration_seconds_count"], "engine", "operation")
    assert {e for e, _ in store} == {engine}, store
    for operation in ("create_pool", "create_user", "get_user", "admit_sign_in_attempt",
                      "create_token_family", "find_refresh_token"):
        assert store.get((engine, operation), 0) > 0, (operation, store)


def test_custom_senders_count_as_deliveries_with_the_functions_outcome(start_server, hooks):
    kms_key_id = "arn:aws:kms:us-east-1:123456789012:key/tessera-metrics"
    config = mapping_toml(hooks.url, arn_prefix=lambda_arn("")) + f"""
[[custom_sender_keys]]
kms_key_id = "{kms_key_id}"
key = "{base64.b64encode(bytes(range(32))).decode()}"
"""
    server = start_server(config)
    cognito = make_client(server)
    hooks.handler = echo
    senders = {"CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": lambda_arn("emailSender")},
               "KMSKeyID": kms_key_id}
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"], LambdaConfig=senders)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    sign_up(cognito, client_id, "ivy", email="ivy@example.com")
    # The senders run asynchronously in Cognito: a failing one does not fail the call.
    hooks.handler = refuse("mail server down")
    sign_up(cognito, client_id, "jon", email="jon@example.com")
    assert outbox(server, pool_id=pool_id) == []

    metrics = scrape(server)
    deliveries = by(metrics["tessera_message_deliveries_total"], "channel", "outcome")
    assert deliveries == {("custom_email_sender", "ok"): 1, ("custom_email_sender", "failed"): 1}, deliveries
    triggers = by(metrics["tessera_trigger_invocations_total"], "trigger", "source", "outcome")
    assert triggers == {
        ("CustomEmailSender", "CustomEmailSender_SignUp", "ok"): 1,
        ("CustomEmailSender", "CustomEmailSender_SignUp", "function_error"): 1,
    }, triggers
    assert by(metrics["tessera_api_requests_total"], "operation", "outcome")[("SignUp", "ok")] == 2


CALLBACK = "https://app.example.com/callback"


def test_hosted_sign_ins_and_oauth_routes_count_under_their_route(start_server):
    resolve_localhost_subdomains()
    server = start_server()
    cognito = make_client(server)
    pool_id = make_pool(cognito)
    prefix = unique("metrics").lower()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    client_id = make_app_client(
        cognito, pool_id, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"],
    )["ClientId"]
    confirmed_user(cognito, pool_id, "hana")
    base = domain_url(server, prefix)

    browser = Browser()
    query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id,
                                    "redirect_uri": CALLBACK, "scope": "openid"})
    to_login = browser.get(f"{base}/oauth2/authorize?{query}")
    assert to_login.status_code == 302, to_login.text
    page = browser.follow(to_login)
    assert page.status_code == 200, page.text[:300]
    wrong = browser.submit(page, {"username": "hana", "password": "Wrong-Passw0rd!"})
    # The page shows the refusal again, answered 400.
    assert wrong.status_code == 400 and "Incorrect username or password." in wrong.text, wrong.text[:300]
    done = browser.submit(wrong, {"username": "hana", "password": AUTH_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].startswith(CALLBACK), done.text[:300]
    code = callback_params(done)["code"]

    token = {"grant_type": "authorization_code", "client_id": client_id, "redirect_uri": CALLBACK}
    assert requests.post(f"{base}/oauth2/token", data={**token, "code": code}, timeout=10).status_code == 200
    replayed = requests.post(f"{base}/oauth2/token", data={**token, "code": code}, timeout=10)
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant", replayed.text

    metrics = scrape(server)
    sign_ins = by(metrics["tessera_sign_ins_total"], "flow", "result")
    assert sign_ins == {("HOSTED_UI", "failure"): 1, ("HOSTED_UI", "success"): 1}, sign_ins
    routes = by(metrics["tessera_http_requests_total"], "route", "outcome")
    assert routes == {
        ("/oauth2/authorize", "ok"): 1,
        ("/login", "ok"): 2,  # the page, the sign-in
        ("/login", "400"): 1,  # the refused attempt
        ("/oauth2/token", "ok"): 1,
        ("/oauth2/token", "invalid_grant"): 1,
    }, routes
    assert by(metrics["tessera_http_request_duration_seconds_count"], "route") == {
        ("/oauth2/authorize",): 1, ("/login",): 3, ("/oauth2/token",): 2,
    }


def run_with_a_password(server, password: str) -> None:
    """Sign-ups and sign-ins, right and wrong, carrying `password` in several places."""
    cognito = make_client(server)
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "erin", password=password)
    sign_in(cognito, client_id, "erin", password)
    srp_sign_in(server, pool_id, client_id, "erin", password)
    with expect_error("NotAuthorizedException"):
        password_auth(cognito, client_id, "erin", password + "x")
    with expect_error("InvalidPasswordException"):
        sign_up(cognito, client_id, "frank", "short")
    with expect_error(("UserNotFoundException", "NotAuthorizedException")):
        password_auth(cognito, client_id, "nobody", password)


def log_lines(server) -> list[str]:
    # The harness writes a "===== start #n: ..." banner before each start.
    return [line for line in server.stderr_text().splitlines() if line and not line.startswith("=====")]


@pytest.mark.parametrize("how", ["file", "env", "env over file"])
def test_json_logs_are_one_object_per_line_and_never_carry_a_password(start_server, how):
    config = {"file": 'log_format = "json"\n', "env": None, "env over file": 'log_format = "text"\n'}[how]
    env = {"TESSERA_LOG": "debug"}
    if how != "file":
        env["TESSERA_LOG_FORMAT"] = "json"
    server = start_server(config, env=env)
    password = "Metr1cs-" + unique("pw")
    run_with_a_password(server, password)
    server.stop()

    lines = log_lines(server)
    assert len(lines) > 5, lines
    levels = set()
    for line in lines:
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        for key in ("timestamp", "level", "target", "message"):
            assert key in entry, (key, line)
        levels.add(entry["level"])
    assert "INFO" in levels, levels
    refused = [json.loads(line) for line in lines if '"request refused"' in line]
    assert refused and all(entry["span"]["name"] == "request" for entry in refused), refused
    assert any(entry.get("error") == "NotAuthorizedException" for entry in refused), refused
    assert password not in server.logs()


def test_text_logs_stay_the_default(start_server):
    server = start_server(env={"TESSERA_LOG": "debug"})
    password = "Metr1cs-" + unique("pw")
    run_with_a_password(server, password)
    server.stop()
    lines = log_lines(server)
    assert lines and not any(line.startswith("{") for line in lines), lines[:5]
    assert any("request refused" in line for line in lines)
    assert password not in server.logs()


def test_a_log_format_other_than_text_or_json_stops_the_start(tessera_bin, tmp_path):
    from tessera_e2e.server import run_tessera

    result = run_tessera(tessera_bin, "serve", "--data-dir", str(tmp_path / "data"), "--listen",
                         "127.0.0.1:0", env={"TESSERA_LOG_FORMAT": "yaml"})
    assert result.returncode != 0 and not result.timed_out, result.output
    assert "`text` or `json`" in result.stderr, result.stderr
