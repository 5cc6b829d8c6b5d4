"""Helpers for the Tessera end-to-end suite: every test talks to the real `tessera` binary
over HTTP, with real boto3, the real AWS CLI, pycognito and PyJWT.

Import from the module that holds a helper (`from tessera_e2e.flows import make_pool`);
`conftest.py` turns the server and client parts into fixtures.

server      the binary and the processes run from it
    find_binary(), run_tessera(bin, *args, env=None, cwd=None, timeout=30), free_port(),
    TesseraServer(bin, work_dir, config_toml=, env=, args=, listen=, data_dir=, cwd=)
        .start() .stop() .kill() .restart(kill=False) .url .port .data_dir .logs() ...,
    ServerFactory (behind the `start_server` fixture), E2E_STORE (TESSERA_E2E_STORE)
aws         clients and errors
    make_client(server, service="cognito-idp", **kw), unsigned_client(server),
    lax_client(server), aws_cli(server, *args, env=None) / AwsCliError,
    raw_call(server, operation, body=None, ...) -> requests.Response, sign_headers(...),
    expect_error(code_or_codes, message=None, contains=()) -> CaughtError  (boto3),
    assert_json_error(resp, error_type=None, status=400) -> dict          (raw HTTP),
    TARGET_PREFIX, JSON_CONTENT_TYPE, DEFAULT_REGION, POOL_ID_RE, CLIENT_ID_RE
snapshots   exact JSON of responses
    normalize(data, keep=()), http_snapshot(resp, keep=()), Snapshot(update).assert_match(name, data)
flows       the product's steps
    unique(prefix), is_uuid(value), recent(ts, within=600),
    make_pool(cognito, password_policy=None, **settings) -> pool id,
    make_app_client(cognito, pool_id, secret=False, flows=None, **settings) -> UserPoolClient,
    make_user(cognito, pool_id, username, attributes=None, password=AUTH_PASSWORD, **request) -> User,
    confirmed_user(cognito, pool_id, username, password=AUTH_PASSWORD, attributes=None),
    pool_with_user(cognito, username="alice", attributes=None, **pool_settings) -> (pool_id, client_id),
    sign_up(cognito, client_id, username, password=AUTH_PASSWORD, **attributes),
    admin_get_user(cognito, pool_id, username), user_status(cognito, pool_id, username),
    attr_list(dict), attr_dict(list), secret_hash(username, client_id, secret),
    outbox(server, pool_id=None, recipient=None), code_in(text), codes_for(...), latest_code(...),
    password_auth(...), sign_in(...), fail_sign_in(clients, client_id, username, times),
    refresh(cognito, client_id, token, flow="REFRESH_TOKEN_AUTH", **extra),
    srp_start(cognito, pool_id, client_id, username, ..., admin=False) -> (srp, params, response),
    srp_sign_in(server, pool_id, client_id, username, password=AUTH_PASSWORD, client_secret=None),
    pycognito_user(server, pool_id, client_id, username),
    assert_tokens(auth), jwt_claims(token), jwt_header(token), issuer_of(server, pool_id),
    verify_token(token, server, pool_id, audience=None, issuer=None), b64url(data),
    AUTH_PASSWORD, AUTH_NEW_PASSWORD, WRONG_PASSWORD, LOCKED, REVOKED_ACCESS, REVOKED_REFRESH,
    ALL_AUTH_FLOWS
"""
