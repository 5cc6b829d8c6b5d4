"""The OAuth 2.0 / OpenID Connect provider of a pool's domain, driven by a real relying-party
library (authlib) and by plain HTTP where the test needs to see each answer.

Each module-level pool has a prefix domain (CreateUserPoolDomain), served at
`<prefix>.auth.localhost:<port>` (Tessera's default base domain; tessera_e2e.hosted resolves
`*.localhost` to loopback as browsers do). The hosted sign-in page is filled in by
tessera_e2e.hosted.Browser, which posts the page's own form.

Cognito and RFC facts, with sources:
- Endpoints (developer guide, "User pool endpoints" and the reference pages of the authorize,
  token, userInfo, revoke and logout endpoints; /work/shared/reference/oauth-hosted-ui.md):
  GET /oauth2/authorize (response_type code|token, client_id, redirect_uri exactly one of the
  client's CallbackURLs, state, scope, code_challenge + code_challenge_method S256 only,
  nonce) answers 302 to /login, or straight to the callback when the browser's session
  cookie is good; POST /oauth2/token (authorization_code with code, redirect_uri,
  code_verifier; refresh_token; client_credentials with custom scopes) with the client
  authenticated by HTTP Basic or by client_id/client_secret in the body; GET /oauth2/userInfo
  with the access token as a Bearer token, needing the openid scope; POST /oauth2/revoke;
  GET /logout with client_id and a registered logout_uri.
- Authorization codes are single use and live 5 minutes (token endpoint page); RFC 6749
  §4.1.2: a second use must be refused, and the tokens the code gave should be revoked.
- RFC 6749 §4.1.2.1: with a bad client_id or redirect_uri the user is told, not redirected;
  other errors go back to the redirect_uri as error=… with the request's state.
- RFC 7636 §4.6 (PKCE S256); OpenID Connect Core §3.1.3.7 (ID token iss, aud, nonce),
  §3.1.3.6 at_hash.
- client_credentials: only a client with a secret, AllowedOAuthFlows client_credentials and
  custom scopes (resource server `identifier/scope`); the access token's sub is the client id
  (developer guide, "Scopes, M2M, and resource servers").
- Token responses are never cached (RFC 6749 §5.1: Cache-Control no-store).
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import secrets
import urllib.parse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from tessera_e2e.aws import make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    confirmed_user,
    make_app_client,
    make_pool,
    unique,
    verify_token,
)
from tessera_e2e.hosted import Browser, callback_params, domain_url, resolve_localhost_subdomains

CALLBACK = "https://app.example.com/callback"
SIGNED_OUT = "https://app.example.com/signed-out"


@pytest.fixture(scope="module", autouse=True)
def _localhost_names():
    resolve_localhost_subdomains()


@pytest.fixture(scope="module")
def cognito(server):
    return make_client(server)


class App:
    """A pool with a domain, a user, a resource server, and three clients: a public web app
    (code + PKCE), a confidential one (code, secret) and a machine client (client_credentials)."""

    def __init__(self, server, cognito):
        self.server = server
        self.pool_id = make_pool(cognito)
        self.prefix = unique("auth").lower()
        cognito.create_user_pool_domain(UserPoolId=self.pool_id, Domain=self.prefix)
        self.base = domain_url(server, self.prefix)
        cognito.create_resource_server(UserPoolId=self.pool_id, Identifier="orders", Name="Orders",
                                       Scopes=[{"ScopeName": "read", "ScopeDescription": "read orders"},
                                               {"ScopeName": "write", "ScopeDescription": "write orders"}])
        web = dict(AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code", "implicit"],
                   AllowedOAuthScopes=["openid", "email", "profile", "aws.cognito.signin.user.admin"],
                   CallbackURLs=[CALLBACK], LogoutURLs=[SIGNED_OUT], SupportedIdentityProviders=["COGNITO"])
        self.public = make_app_client(cognito, self.pool_id, **web)["ClientId"]
        confidential = make_app_client(cognito, self.pool_id, secret=True, **web)
        self.confidential, self.confidential_secret = confidential["ClientId"], confidential["ClientSecret"]
        machine = make_app_client(cognito, self.pool_id, secret=True, AllowedOAuthFlowsUserPoolClient=True,
                                  AllowedOAuthFlows=["client_credentials"],
                                  AllowedOAuthScopes=["orders/read", "orders/write"])
        self.machine, self.machine_secret = machine["ClientId"], machine["ClientSecret"]
        self.username = "ola"
        confirmed_user(cognito, self.pool_id, self.username,
                       attributes={"email": "ola@example.com", "email_verified": "true", "name": "Ola"})
        self.issuer = f"{server.url}/{self.pool_id}"

    def token(self, data: dict, auth=None) -> requests.Response:
        return requests.post(f"{self.base}/oauth2/token", data=data, auth=auth, timeout=10)


@pytest.fixture(scope="module")
def app(server, cognito):
    return App(server, cognito)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(app: App, client_id: str, **params) -> str:
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
             "scope": "openid email", "state": "st-1", **params}
    return f"{app.base}/oauth2/authorize?{urllib.parse.urlencode(query)}"


def sign_in_on_page(app: App, url: str, browser: Browser | None = None, password: str = AUTH_PASSWORD):
    """Opens `url`, signs in on the hosted page, and returns (the redirect to the callback,
    the browser)."""
    browser = browser or Browser()
    page = browser.follow(browser.get(url), stop_at=CALLBACK)
    assert page.status_code == 200, (page.status_code, page.text[:500])
    done = browser.submit(page, {"username": app.username, "password": password})
    done = browser.follow(done, stop_at=CALLBACK)
    assert done.status_code == 302 and done.headers["Location"].startswith(CALLBACK), (
        done.status_code, done.headers.get("Location"), done.text[:500])
    return done, browser


def code_for(app: App, client_id: str, **params) -> str:
    done, _ = sign_in_on_page(app, authorize_url(app, client_id, **params))
    got = callback_params(done)
    assert got["state"] == params.get("state", "st-1")
    return got["code"]


# ---- discovery ------------------------------------------------------------------------------


def test_discovery_names_the_domains_endpoints(app):
    doc = requests.get(f"{app.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert doc["issuer"] == app.issuer
    assert doc["authorization_endpoint"] == f"{app.base}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{app.base}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{app.base}/oauth2/userInfo"
    assert doc["revocation_endpoint"] == f"{app.base}/oauth2/revoke"
    assert doc["end_session_endpoint"] == f"{app.base}/logout"
    assert doc["jwks_uri"] == f"{app.issuer}/.well-known/jwks.json"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post", "none"}
    assert set(doc["grant_types_supported"]) == {"authorization_code", "refresh_token", "implicit",
                                                 "client_credentials"}


def test_a_host_no_pool_has_is_not_found(server):
    response = requests.get(f"{domain_url(server, 'nobody-' + secrets.token_hex(4))}/oauth2/authorize",
                            allow_redirects=False, timeout=10)
    assert response.status_code == 404


# ---- the code flow with a relying-party library ---------------------------------------------


def test_authlib_code_flow_with_pkce_nonce_userinfo_and_refresh(app):
    discovery = requests.get(f"{app.issuer}/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(app.confidential, app.confidential_secret, scope="openid email profile",
                           redirect_uri=CALLBACK, code_challenge_method="S256",
                           token_endpoint_auth_method="client_secret_basic")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = client.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                                 nonce=nonce)
    done, _ = sign_in_on_page(app, url)
    token = client.fetch_token(discovery["token_endpoint"], authorization_response=done.headers["Location"],
                               code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert {"id_token", "access_token", "refresh_token"} <= set(token)

    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jose_jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    jose_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": app.issuer},
        aud={"essential": True, "value": app.confidential},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
    ).validate(claims)
    assert claims["cognito:username"] == app.username and claims["email"] == "ola@example.com"
    # at_hash: the left half of the access token's SHA-256 (OIDC Core §3.1.3.6).
    digest = hashlib.sha256(token["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    access = verify_token(token["access_token"], app.server, app.pool_id)
    assert set(access["scope"].split()) == {"openid", "email", "profile"}
    assert access["client_id"] == app.confidential

    info = client.get(discovery["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["email"] == "ola@example.com"
    assert info["email_verified"] == "true" and info["name"] == "Ola" and info["username"] == app.username

    refreshed = client.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"] and "id_token" in refreshed
    assert set(verify_token(refreshed["access_token"], app.server, app.pool_id)["scope"].split()) == \
        {"openid", "email", "profile"}, "a refresh keeps the scopes granted"


def test_public_client_redeems_with_body_client_id_and_pkce(app):
    verifier, challenge = pkce()
    code = code_for(app, app.public, code_challenge=challenge, code_challenge_method="S256")
    response = app.token({"grant_type": "authorization_code", "client_id": app.public, "code": code,
                          "redirect_uri": CALLBACK, "code_verifier": verifier})
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert verify_token(body["id_token"], app.server, app.pool_id, audience=app.public)["email"] == "ola@example.com"


def test_a_scope_without_openid_gets_no_id_token(app):
    code = code_for(app, app.public, scope="aws.cognito.signin.user.admin")
    body = app.token({"grant_type": "authorization_code", "client_id": app.public, "code": code,
                      "redirect_uri": CALLBACK}).json()
    assert "id_token" not in body and body["access_token"]
    assert make_client(app.server).get_user(AccessToken=body["access_token"])["Username"] == app.username


@pytest.mark.parametrize("verifier", ["wrong", None], ids=["wrong-verifier", "no-verifier"])
def test_pkce_must_hold(app, verifier):
    right, challenge = pkce()
    code = code_for(app, app.public, code_challenge=challenge, code_challenge_method="S256")
    data = {"grant_type": "authorization_code", "client_id": app.public, "code": code, "redirect_uri": CALLBACK}
    if verifier:
        data["code_verifier"] = secrets.token_urlsafe(48)
    response = app.token(data)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    data["code_verifier"] = right
    assert app.token(data).json()["error"] == "invalid_grant", "the code was spent by the failed try"


def test_a_reused_code_is_refused_and_revokes_the_first_tokens(app):
    code = code_for(app, app.public)
    data = {"grant_type": "authorization_code", "client_id": app.public, "code": code, "redirect_uri": CALLBACK}
    first = app.token(data).json()
    again = app.token(data)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    info = requests.get(f"{app.base}/oauth2/userInfo",
                        headers={"Authorization": f"Bearer {first['access_token']}"}, timeout=10)
    assert info.status_code == 401, "the first redemption's access token is revoked"
    refreshed = app.token({"grant_type": "refresh_token", "client_id": app.public,
                           "refresh_token": first["refresh_token"]})
    assert refreshed.json()["error"] == "invalid_grant"


def test_twenty_parallel_redemptions_of_one_code_admit_one(app):
    code = code_for(app, app.public)
    data = {"grant_type": "authorization_code", "client_id": app.public, "code": code, "redirect_uri": CALLBACK}
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _: app.token(data).status_code, range(20)))
    assert statuses.count(200) <= 1 and statuses.count(400) >= 19, statuses


@pytest.mark.parametrize("auth", ["basic", "body"])
def test_a_wrong_client_secret_is_invalid_client(app, auth):
    code = code_for(app, app.confidential)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    if auth == "basic":
        response = app.token(data, auth=(app.confidential, "not-the-secret"))
    else:
        response = app.token({**data, "client_id": app.confidential, "client_secret": "not-the-secret"})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_a_code_for_another_redirect_uri_or_client(app):
    code = code_for(app, app.public)
    response = app.token({"grant_type": "authorization_code", "client_id": app.public, "code": code,
                          "redirect_uri": CALLBACK + "/"})
    assert response.json()["error"] == "invalid_grant"
    code = code_for(app, app.public)
    response = app.token({"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
                         auth=(app.confidential, app.confidential_secret))
    assert response.json()["error"] == "invalid_grant"


def test_token_endpoint_refusals(app):
    assert app.token({"grant_type": "password", "client_id": app.public}).json()["error"] == "unsupported_grant_type"
    assert app.token({"client_id": app.public}).json()["error"] == "invalid_request"
    assert app.token({"grant_type": "authorization_code", "client_id": "nobody"}).json()["error"] in (
        "invalid_client", "invalid_request")
    json_body = requests.post(f"{app.base}/oauth2/token", json={"grant_type": "client_credentials"}, timeout=10)
    assert json_body.status_code == 400 and json_body.json()["error"] == "invalid_request"


# ---- implicit, the browser session and sign-out ------------------------------------------------


def test_implicit_grant_puts_tokens_in_the_fragment(app):
    done, _ = sign_in_on_page(app, authorize_url(app, app.public, response_type="token", nonce="n-1"))
    location = urllib.parse.urlsplit(done.headers["Location"])
    assert location.query == ""
    got = dict(urllib.parse.parse_qsl(location.fragment))
    assert got["token_type"] == "Bearer" and got["state"] == "st-1" and "refresh_token" not in got
    assert verify_token(got["id_token"], app.server, app.pool_id)["nonce"] == "n-1"


def test_the_browser_session_skips_the_page_until_sign_out(app):
    done, browser = sign_in_on_page(app, authorize_url(app, app.public))
    cookie = next(c for c in browser.session.cookies if c.name == "cognito")
    assert cookie.has_nonstandard_attr("HttpOnly")
    again = browser.get(authorize_url(app, app.public, state="st-2"))
    assert again.status_code == 302 and again.headers["Location"].startswith(CALLBACK), "no page the second time"
    assert callback_params(again)["state"] == "st-2"
    forced = browser.get(authorize_url(app, app.public, prompt="login"))
    assert urllib.parse.urlsplit(forced.headers["Location"]).path == "/login"

    refused = browser.get(f"{app.base}/logout?client_id={app.public}&logout_uri=https://evil.example/")
    assert refused.status_code == 400 and "Location" not in refused.headers
    out = browser.get(f"{app.base}/logout?client_id={app.public}&logout_uri={urllib.parse.quote(SIGNED_OUT)}")
    assert out.status_code == 302 and out.headers["Location"] == SIGNED_OUT
    after = browser.get(authorize_url(app, app.public))
    assert urllib.parse.urlsplit(after.headers["Location"]).path == "/login", "signed out"


# ---- authorization request refusals ---------------------------------------------------------------


@pytest.mark.parametrize("redirect_uri", [
    CALLBACK + "/", "https://app.example.com:8443/callback", "http://app.example.com/callback",
    "https://app.example.com@evil.example/callback", CALLBACK + "?x=1", "https://APP.example.com/callback",
    "https://app.example.com/Callback", None,
], ids=["trailing-slash", "other-port", "other-scheme", "userinfo", "added-query", "host-case", "path-case",
        "missing"])
def test_a_redirect_uri_not_registered_is_an_error_page(app, redirect_uri):
    params = {"redirect_uri": redirect_uri} if redirect_uri else {}
    url = authorize_url(app, app.public, **params)
    if redirect_uri is None:
        url = url.replace(urllib.parse.urlencode({"redirect_uri": CALLBACK}) + "&", "")
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 400 and "Location" not in response.headers
    assert "text/html" in response.headers["Content-Type"]


def test_an_unknown_client_is_an_error_page(app):
    response = requests.get(authorize_url(app, "nosuchclient"), allow_redirects=False, timeout=10)
    assert response.status_code == 400 and "Location" not in response.headers


@pytest.mark.parametrize("params, error", [
    ({"response_type": ""}, "invalid_request"),
    ({"response_type": "id_token"}, "unsupported_response_type"),
    ({"scope": "openid orders/read"}, "invalid_scope"),
    ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge": "x" * 43}, "invalid_request"),
], ids=["no-response-type", "unsupported-response-type", "scope-not-allowed", "plain-pkce", "no-method"])
def test_other_refusals_go_back_to_the_client(app, params, error):
    response = requests.get(authorize_url(app, app.public, **params), allow_redirects=False, timeout=10)
    assert response.status_code == 302
    got = callback_params(response)
    assert response.headers["Location"].startswith(CALLBACK)
    assert got["error"] == error and got["state"] == "st-1"


def test_implicit_for_a_client_that_does_not_allow_it(app, cognito):
    client_id = make_app_client(cognito, app.pool_id, AllowedOAuthFlowsUserPoolClient=True,
                                AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"],
                                CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"])["ClientId"]
    response = requests.get(authorize_url(app, client_id, response_type="token", scope="openid"),
                            allow_redirects=False, timeout=10)
    assert callback_params(response)["error"] == "unauthorized_client"


# ---- client credentials -----------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["basic", "body"])
def test_client_credentials_with_a_custom_scope(app, auth):
    data = {"grant_type": "client_credentials", "scope": "orders/read"}
    if auth == "basic":
        response = app.token(data, auth=(app.machine, app.machine_secret))
    else:
        response = app.token({**data, "client_id": app.machine, "client_secret": app.machine_secret})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    claims = verify_token(body["access_token"], app.server, app.pool_id)
    assert claims["sub"] == app.machine and claims["client_id"] == app.machine
    assert claims["scope"] == "orders/read" and claims["token_use"] == "access"
    everything = app.token({"grant_type": "client_credentials"}, auth=(app.machine, app.machine_secret)).json()
    assert set(verify_token(everything["access_token"], app.server, app.pool_id)["scope"].split()) == \
        {"orders/read", "orders/write"}, "no scope asked: all the client's"


def test_client_credentials_refusals(app):
    wrong = app.token({"grant_type": "client_credentials"}, auth=(app.machine, "nope"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    scope = app.token({"grant_type": "client_credentials", "scope": "openid"}, auth=(app.machine, app.machine_secret))
    assert scope.json()["error"] == "invalid_scope"
    web = app.token({"grant_type": "client_credentials"}, auth=(app.confidential, app.confidential_secret))
    assert web.json()["error"] == "unauthorized_client"


# ---- userInfo and revocation --------------------------------------------------------------------------


def test_userinfo_needs_an_openid_access_token(app):
    assert requests.get(f"{app.base}/oauth2/userInfo", timeout=10).status_code == 400
    bad = requests.get(f"{app.base}/oauth2/userInfo", headers={"Authorization": "Bearer nonsense"}, timeout=10)
    assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    # An API sign-in's access token has only the native scope.
    api = make_client(app.server).admin_initiate_auth(
        UserPoolId=app.pool_id, ClientId=app.public, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": app.username, "PASSWORD": AUTH_PASSWORD})["AuthenticationResult"]
    native = requests.get(f"{app.base}/oauth2/userInfo",
                          headers={"Authorization": f"Bearer {api['AccessToken']}"}, timeout=10)
    assert native.status_code == 401


def test_revoke_ends_the_refresh_token_and_its_access_tokens(app):
    code = code_for(app, app.confidential)
    tokens = app.token({"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
                       auth=(app.confidential, app.confidential_secret)).json()
    revoked = requests.post(f"{app.base}/oauth2/revoke", data={"token": tokens["refresh_token"]},
                            auth=(app.confidential, app.confidential_secret), timeout=10)
    assert revoked.status_code == 200
    info = requests.get(f"{app.base}/oauth2/userInfo",
                        headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)
    assert info.status_code == 401
    again = app.token({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                      auth=(app.confidential, app.confidential_secret))
    assert again.json()["error"] == "invalid_grant"
    wrong = requests.post(f"{app.base}/oauth2/revoke", data={"token": tokens["refresh_token"]},
                          auth=(app.confidential, "nope"), timeout=10)
    assert wrong.status_code == 401
    access = requests.post(f"{app.base}/oauth2/revoke", data={"token": tokens["access_token"]},
                           auth=(app.confidential, app.confidential_secret), timeout=10)
    assert access.status_code == 400 and access.json()["error"] == "unsupported_token_type"


def test_prompt_none_without_a_session_is_login_required(app):
    response = requests.get(authorize_url(app, app.public, prompt="none"), allow_redirects=False, timeout=10)
    got = callback_params(response)
    assert response.headers["Location"].startswith(CALLBACK)
    assert got["error"] == "login_required" and got["state"] == "st-1"
    _, browser = sign_in_on_page(app, authorize_url(app, app.public))
    silent = browser.get(authorize_url(app, app.public, prompt="none"))
    assert "code" in callback_params(silent), "with a session, prompt=none signs in silently"


def test_a_client_without_cognito_among_its_providers_cannot_use_the_pages(app, cognito):
    client_id = make_app_client(cognito, app.pool_id, AllowedOAuthFlowsUserPoolClient=True,
                                AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"],
                                CallbackURLs=[CALLBACK])["ClientId"]
    response = requests.get(authorize_url(app, client_id, scope="openid"), allow_redirects=False, timeout=10)
    assert callback_params(response)["error"] == "unauthorized_client"


def test_implicit_errors_go_in_the_fragment(app):
    response = requests.get(authorize_url(app, app.public, response_type="token", scope="orders/read"),
                            allow_redirects=False, timeout=10)
    location = urllib.parse.urlsplit(response.headers["Location"])
    assert location.query == "" and dict(urllib.parse.parse_qsl(location.fragment))["error"] == "invalid_scope"


def test_prompt_is_a_list(app):
    _, browser = sign_in_on_page(app, authorize_url(app, app.public))
    again = browser.get(authorize_url(app, app.public, prompt="login consent"))
    assert urllib.parse.urlsplit(again.headers["Location"]).path == "/login", "login among the prompts"
    mixed = requests.get(authorize_url(app, app.public, prompt="none login"), allow_redirects=False, timeout=10)
    assert callback_params(mixed)["error"] == "invalid_request"


def test_a_hosted_sign_in_session_is_not_the_apis(app, cognito):
    # A session the pages carry ends in an authorization code; answering it through the API
    # would skip the client's flows and the scopes OAuth grants.
    from tessera_e2e.flows import make_user
    make_user(cognito, app.pool_id, "tia", {"email": "tia@example.com"})
    browser = Browser()
    page = browser.follow(browser.get(authorize_url(app, app.public)), stop_at=CALLBACK)
    step = browser.follow(browser.submit(page, {"username": "tia", "password": AUTH_PASSWORD}), stop_at=CALLBACK)
    assert step.status_code == 200, step.text[:300]
    from tessera_e2e.hosted import forms
    session = next(v for f in forms(step.text) for k, v in f["fields"].items() if "session" in k.lower())
    from tessera_e2e.aws import expect_error
    with expect_error("NotAuthorizedException", "Invalid session for the user, session is expired."):
        cognito.respond_to_auth_challenge(ClientId=app.public, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
                                          ChallengeResponses={"USERNAME": "tia", "NEW_PASSWORD": "N3w-Passw0rd!"})


# ---- the browser session and user sessions (issue 15) ----------------------------------------


def test_a_clients_sso_max_validity_bounds_the_browser_session(server, cognito):
    """SetUserPoolClientSessionConfiguration's SSOSession.MaxValidityMinutes: how long the client
    silently reuses a sign-in of the browser session (API reference); 0 never does."""
    fresh = App(server, cognito)
    cognito.set_user_pool_session_configuration(UserPoolId=fresh.pool_id, UserSessionTracking="ENABLED",
                                                TokenSession={"MaxPerUser": 20})
    strict = make_app_client(cognito, fresh.pool_id, AllowedOAuthFlowsUserPoolClient=True,
                             AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
                             CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"])["ClientId"]
    cognito.set_user_pool_client_session_configuration(UserPoolId=fresh.pool_id, ClientId=strict,
                                                       SSOSession={"MaxValidityMinutes": 0})
    _, browser = sign_in_on_page(fresh, authorize_url(fresh, fresh.public))
    reused = browser.get(authorize_url(fresh, fresh.public, state="st-2"))
    assert reused.status_code == 302 and reused.headers["Location"].startswith(CALLBACK)
    asked = browser.get(authorize_url(fresh, strict, scope="openid email"))
    assert urllib.parse.urlsplit(asked.headers["Location"]).path == "/login", "the strict client signs in again"


def test_linked_revocation_of_a_hosted_sign_in_is_refused_as_not_built(server, cognito):
    """RevokeAssociatedSessions LINKED would also end the SSO session a token session came from;
    Tessera keeps none yet, so for a sign-in through the hosted pages it says so instead."""
    fresh = App(server, cognito)
    cognito.set_user_pool_session_configuration(UserPoolId=fresh.pool_id, UserSessionTracking="ENABLED",
                                                TokenSession={"MaxPerUser": 20})
    verifier, challenge = pkce()
    code = code_for(fresh, fresh.public, code_challenge=challenge, code_challenge_method="S256")
    response = fresh.token({"grant_type": "authorization_code", "client_id": fresh.public, "code": code,
                            "redirect_uri": CALLBACK, "code_verifier": verifier})
    assert response.status_code == 200, response.text
    (session,) = cognito.admin_list_user_sessions(UserPoolId=fresh.pool_id, Username=fresh.username)["Sessions"]
    with pytest.raises(cognito.exceptions.ClientError) as caught:
        cognito.admin_revoke_user_session(UserPoolId=fresh.pool_id, Username=fresh.username,
                                          SessionId=session["SessionId"], RevokeAssociatedSessions="LINKED")
    assert caught.value.response["Error"]["Code"] == "UnsupportedOperationException"
    cognito.admin_revoke_user_session(UserPoolId=fresh.pool_id, Username=fresh.username,
                                      SessionId=session["SessionId"])
    assert cognito.admin_list_user_sessions(UserPoolId=fresh.pool_id, Username=fresh.username)["Sessions"] == []
