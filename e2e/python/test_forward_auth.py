"""The forward-auth authorizer (`/forward-auth`), called directly as a proxy would and through
a real nginx (Debian's package) with `auth_request` in front of a small upstream.

The authorizer answers 200 with the caller's identity in `X-Auth-*` headers, 401 with
`WWW-Authenticate: Bearer realm="tessera"` and RFC 6750's `invalid_token` (no error code when no
token was sent, RFC 6750 §3.1), or 403 `insufficient_scope`; what a route needs is in the
authorizer URL's query (`token_use`, `scope`, `group`, `client_id`, `pool_id`). The token is
checked as the access-token operations check it: signature with the pool's key for its kind,
issuer, expiry, and a sign-in not revoked (GlobalSignOut) by a user still enabled.

nginx facts (nginx documentation, ngx_http_auth_request_module): `auth_request <uri>` makes a
subrequest; a 2xx answer lets the request through, 401 and 403 are returned to the client,
anything else is an error; `auth_request_set` copies the subrequest's response headers
(`$upstream_http_x_auth_sub`) into variables for `proxy_set_header`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tessera_e2e.flows import (
    AUTH_PASSWORD,
    confirmed_user,
    make_app_client,
    make_pool,
    password_auth,
    unique,
)
from tessera_e2e.aws import make_client
from tessera_e2e.hosted import domain_url, resolve_localhost_subdomains
from tessera_e2e.mfa import move_clock
from tessera_e2e.server import free_port


@pytest.fixture(scope="module")
def srv(start_server_module):
    return start_server_module


@pytest.fixture(scope="module")
def start_server_module(tessera_bin, tmp_path_factory):
    from tessera_e2e.server import ServerFactory
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("forward-auth"))
    yield factory(env={"TESSERA_TEST_CLOCK": "true"})
    factory.stop_all()


class Pool:
    def __init__(self, srv):
        cognito = make_client(srv)
        self.srv = srv
        self.pool_id = make_pool(cognito)
        self.client_id = make_app_client(cognito, self.pool_id)["ClientId"]
        self.other_client = make_app_client(cognito, self.pool_id)["ClientId"]
        confirmed_user(cognito, self.pool_id, "fay")
        cognito.create_group(UserPoolId=self.pool_id, GroupName="admins")
        cognito.admin_add_user_to_group(UserPoolId=self.pool_id, Username="fay", GroupName="admins")
        confirmed_user(cognito, self.pool_id, "gus")
        self.cognito = cognito

    def tokens(self, username="fay", client_id=None) -> dict:
        return password_auth(self.cognito, client_id or self.client_id, username, AUTH_PASSWORD)["AuthenticationResult"]


POOL_OF_MODULE: list[str] = []


@pytest.fixture(scope="module")
def pool(srv):
    made = Pool(srv)
    POOL_OF_MODULE[:] = [made.pool_id]
    return made


def check(srv, token: str | None, pool_id: str | None = None, **requirement) -> requests.Response:
    """The authorizer's answer for `token` on a route of `pool_id` (the module's pool unless
    given) with `requirement`."""
    requirement["pool_id"] = pool_id or POOL_OF_MODULE[0]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{srv.url}/forward-auth", params=requirement, headers=headers, timeout=10)


def test_a_valid_access_token_passes_with_the_callers_identity(srv, pool):
    tokens = pool.tokens()
    answer = check(srv, tokens["AccessToken"], scope="aws.cognito.signin.user.admin", group="admins",
                   token_use="access", client_id=pool.client_id, pool_id=pool.pool_id)
    assert answer.status_code == 200, answer.headers
    assert answer.headers["X-Auth-Username"] == "fay"
    assert answer.headers["X-Auth-Groups"] == "admins"
    assert answer.headers["X-Auth-Scopes"] == "aws.cognito.signin.user.admin"
    assert answer.headers["X-Auth-Client-Id"] == pool.client_id
    assert answer.headers["X-Auth-Token-Use"] == "access"
    sub = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username="fay")["UserAttributes"]
    assert answer.headers["X-Auth-Sub"] == next(a["Value"] for a in sub if a["Name"] == "sub")


def test_an_id_token_passes_where_id_tokens_are_asked_for(srv, pool):
    tokens = pool.tokens()
    assert check(srv, tokens["IdToken"], token_use="id").status_code == 200
    refused = check(srv, tokens["IdToken"], token_use="access")
    assert refused.status_code == 403 and 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]
    assert check(srv, tokens["AccessToken"], token_use="id").status_code == 403


def test_no_token_is_a_bare_challenge(srv, pool):
    answer = check(srv, None)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == 'Bearer realm="tessera"'


@pytest.mark.parametrize("mangle", ["payload", "signature", "garbage"])
def test_a_tampered_token_is_invalid(srv, pool, mangle):
    token = pool.tokens()["AccessToken"]
    head, payload, signature = token.split(".")
    forged = {
        "payload": f"{head}.{payload[:-4]}AAAA.{signature}",
        "signature": f"{head}.{payload}.{signature[:-4]}AAAA",
        "garbage": "not-a-token",
    }[mangle]
    answer = check(srv, forged)
    assert answer.status_code == 401 and 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_a_revoked_or_disabled_callers_token_is_invalid(srv, pool):
    tokens = pool.tokens("gus")
    assert check(srv, tokens["AccessToken"]).status_code == 200
    pool.cognito.global_sign_out(AccessToken=tokens["AccessToken"])
    for token in (tokens["AccessToken"], tokens["IdToken"]):
        answer = check(srv, token)
        assert answer.status_code == 401 and "revoked" in answer.headers["WWW-Authenticate"]


def test_an_expired_token_is_invalid(srv, pool):
    tokens = pool.tokens()
    move_clock(srv, 2 * 3600)
    try:
        answer = check(srv, tokens["AccessToken"])
        assert answer.status_code == 401 and "expired" in answer.headers["WWW-Authenticate"]
    finally:
        move_clock(srv, -2 * 3600)


def test_what_a_route_requires(srv, pool):
    token = pool.tokens()["AccessToken"]
    scope = check(srv, token, scope="orders/read")
    assert scope.status_code == 403 and 'scope="orders/read"' in scope.headers["WWW-Authenticate"]
    assert check(srv, token, group="auditors,staff").status_code == 403
    assert check(srv, token, client_id=pool.other_client).status_code == 403
    assert check(srv, token, pool_id="us-east-1_Other").status_code == 403, "another pool's route"
    unbound = requests.get(f"{srv.url}/forward-auth", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert unbound.status_code == 500, "a route that names no pool lets nobody in"
    assert check(srv, token, group="staff,admins").status_code == 200, "any one of the groups"
    assert check(srv, token, token_use="refresh").status_code == 500, "a proxy configured wrong lets nobody in"


def test_a_machine_token_passes_with_its_scopes(srv):
    resolve_localhost_subdomains()
    cognito = make_client(srv)
    pool_id = make_pool(cognito)
    prefix = unique("fa").lower()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
    machine = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="m", GenerateSecret=True,
                                              AllowedOAuthFlowsUserPoolClient=True,
                                              AllowedOAuthFlows=["client_credentials"],
                                              AllowedOAuthScopes=["orders/read"])["UserPoolClient"]
    token = requests.post(f"{domain_url(srv, prefix)}/oauth2/token", data={"grant_type": "client_credentials"},
                          auth=(machine["ClientId"], machine["ClientSecret"]), timeout=10).json()["access_token"]
    answer = check(srv, token, pool_id=pool_id, scope="orders/read")
    assert answer.status_code == 200
    assert answer.headers["X-Auth-Sub"] == machine["ClientId"] and answer.headers["X-Auth-Username"] == ""
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=machine["ClientId"])
    assert check(srv, token, pool_id=pool_id).status_code == 401, "a deleted client's tokens stop working"


# ---- through nginx ---------------------------------------------------------------------------------


class Upstream:
    """The protected app: records what reaches it and answers with the identity headers."""

    def __init__(self):
        self.hits: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits.append({k.lower(): v for k, v in self.headers.items()})
                body = json.dumps({"user": self.headers.get("X-User")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /api/ {{
            auth_request /_auth;
            auth_request_set $auth_user $upstream_http_x_auth_username;
            auth_request_set $auth_groups $upstream_http_x_auth_groups;
            proxy_set_header X-User $auth_user;
            proxy_set_header X-Groups $auth_groups;
            proxy_pass http://127.0.0.1:{upstream}/;
        }}
        location = /_auth {{
            internal;
            proxy_pass http://127.0.0.1:{tessera}/forward-auth?pool_id={pool_id}&token_use=access&group=admins;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URI $request_uri;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def nginx(srv, pool, tmp_path_factory):
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.fail("nginx is not installed: apt-get install nginx (.ci/run does)", pytrace=False)
    upstream = Upstream()
    work = tmp_path_factory.mktemp("nginx")
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=work, port=port, upstream=upstream.port, tessera=srv.port,
                                      pool_id=pool.pool_id))
    proc = subprocess.Popen([binary, "-p", str(work), "-c", str(conf)], stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except requests.ConnectionError:
            if proc.poll() is not None or time.time() > deadline:
                raise AssertionError(f"nginx did not start: {proc.stderr.read().decode()}")
            time.sleep(0.1)
    yield type("Nginx", (), {"url": f"http://127.0.0.1:{port}", "upstream": upstream})
    proc.terminate()
    proc.wait(timeout=10)
    upstream.close()


def test_nginx_lets_a_valid_token_through_with_the_identity(nginx, pool):
    token = pool.tokens()["AccessToken"]
    answer = requests.get(f"{nginx.url}/api/orders", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"user": "fay"}
    assert nginx.upstream.hits[-1]["x-groups"] == "admins"


def test_nginx_never_reaches_the_upstream_for_a_refused_caller(nginx, pool, srv):
    nginx.upstream.hits.clear()
    refused = pool.tokens("gus")["AccessToken"]  # not in admins
    tampered = pool.tokens()["AccessToken"][:-4] + "AAAA"
    for headers, status in (({}, 401), ({"Authorization": f"Bearer {tampered}"}, 401),
                            ({"Authorization": f"Bearer {refused}"}, 403)):
        answer = requests.get(f"{nginx.url}/api/orders", headers=headers, timeout=10)
        assert answer.status_code == status, (headers, answer.status_code)
    revoked = pool.tokens()
    pool.cognito.global_sign_out(AccessToken=revoked["AccessToken"])
    answer = requests.get(f"{nginx.url}/api/orders", headers={"Authorization": f"Bearer {revoked['AccessToken']}"},
                          timeout=10)
    assert answer.status_code == 401
    assert nginx.upstream.hits == [], "the upstream never saw a refused request"
