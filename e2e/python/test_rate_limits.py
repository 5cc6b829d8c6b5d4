"""Request-rate quotas by Cognito's operation categories, through boto3 with retries off.

Cognito facts (developer guide, "Quotas in Amazon Cognito", "Amazon Cognito user pools API
operation categories and request rate quotas"): each operation belongs to a category with a
pooled quota in requests per second — UserRead (AdminGetUser, GetUser) 120, UserList (ListUsers,
ListUsersInGroup) 30, UserAuthentication 120, UserCreation 50, …; over it, the call fails with
TooManyRequestsException "Rate exceeded" (the message boto3#2517 and amplify-js#3554 quote).

Tessera's own rules (README, "Rate limits"): off unless `[rate_limits] enabled = true`;
`[rate_limits.rps]` replaces a category's default for the node, `[rate_limits.pools."<id>"]`
adds a pool's own quota; buckets hold a second's worth and are kept per node.
"""

from __future__ import annotations

import time

import pytest

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import confirmed_user, make_pool

POOL = "us-east-1_ratelimit1"

CONFIG = f"""
[rate_limits]
enabled = true
[rate_limits.rps]
UserRead = 3
[rate_limits.pools."{POOL}"]
UserList = 2

[[pools]]
id = "{POOL}"
name = "limited"
"""


@pytest.fixture(scope="module")
def limited(tessera_bin, tmp_path_factory):
    from tessera_e2e.server import ServerFactory
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("rate-limits"))
    srv = factory(config_toml=CONFIG)
    yield srv
    factory.stop_all()


def burst(call, n: int) -> list[str]:
    """`n` calls back to back: the error code of each, or "ok"."""
    outcomes = []
    for _ in range(n):
        try:
            call()
            outcomes.append("ok")
        except Exception as e:  # botocore ClientError
            outcomes.append(e.response["Error"]["Code"])
    return outcomes


def test_a_burst_over_a_categorys_quota_is_throttled_and_others_are_not(limited):
    cognito = make_client(limited)
    confirmed_user(cognito, POOL, "rita")
    time.sleep(1.1)  # a full bucket
    outcomes = burst(lambda: cognito.admin_get_user(UserPoolId=POOL, Username="rita"), 8)
    assert outcomes[:3] == ["ok"] * 3, outcomes
    assert set(outcomes[3:]) <= {"ok", "TooManyRequestsException"}
    assert outcomes.count("TooManyRequestsException") >= 4, outcomes
    with expect_error("TooManyRequestsException", "Rate exceeded"):
        for _ in range(5):
            cognito.admin_get_user(UserPoolId=POOL, Username="rita")
    # Another category is untouched.
    assert cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]["Id"] == POOL
    # The bucket refills with time.
    time.sleep(1.1)
    assert cognito.admin_get_user(UserPoolId=POOL, Username="rita")["Username"] == "rita"


def test_a_pools_own_quota(limited):
    cognito = make_client(limited)
    time.sleep(1.1)
    outcomes = burst(lambda: cognito.list_users(UserPoolId=POOL), 5)
    assert outcomes[:2] == ["ok", "ok"] and outcomes.count("TooManyRequestsException") >= 2, outcomes
    other = make_pool(cognito)
    assert burst(lambda: cognito.list_users(UserPoolId=other), 5) == ["ok"] * 5, \
        "another pool has only the node's quota (30)"


def test_off_by_default(server):
    cognito = make_client(server)
    pool_id = make_pool(cognito)
    confirmed_user(cognito, pool_id, "sol")
    assert burst(lambda: cognito.admin_get_user(UserPoolId=pool_id, Username="sol"), 200) == ["ok"] * 200


# ---- the OAuth endpoints and the hosted pages -------------------------------------------------
#
# Cognito (developer guide, quotas, and its answer in re:Post "Cognito token endpoint quotas"):
# a hosted UI sign-in and a refresh_token grant consume UserAuthentication; an authorization_code
# grant has UserAuthentication's limits without consuming them (Tessera: its own bucket,
# `AuthorizationCodeGrant`); client_credentials is ClientAuthentication. Over a quota the token
# endpoint answers HTTP 429 with an RFC 6749-shaped body and Retry-After, and a page a 429 page.

OAUTH_CONFIG = """
[rate_limits]
enabled = true
[rate_limits.rps]
ClientAuthentication = 2
UserAuthentication = 3
"""


@pytest.fixture(scope="module")
def oauth_limited(tessera_bin, tmp_path_factory):
    from tessera_e2e.hosted import resolve_localhost_subdomains
    from tessera_e2e.server import ServerFactory
    resolve_localhost_subdomains()
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("oauth-rate-limits"))
    yield factory(config_toml=OAUTH_CONFIG)
    factory.stop_all()


def test_the_token_endpoint_and_the_sign_in_page_count_against_their_quotas(oauth_limited):
    from test_oauth import CALLBACK, App, authorize_url, code_for, pkce
    from tessera_e2e.flows import AUTH_PASSWORD
    from tessera_e2e.hosted import Browser

    cognito = make_client(oauth_limited)
    app = App(oauth_limited, cognito)
    machine = {"grant_type": "client_credentials"}

    time.sleep(1.1)
    statuses = [app.token(machine, auth=(app.machine, app.machine_secret)).status_code for _ in range(6)]
    assert statuses[:2] == [200, 200], statuses
    assert statuses.count(429) >= 3, statuses
    throttled = app.token(machine, auth=(app.machine, app.machine_secret))
    assert throttled.status_code == 429
    assert throttled.json() == {"error": "too_many_requests", "error_description": "Rate exceeded"}
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.headers["Cache-Control"] == "no-store"

    # ClientAuthentication's burst leaves user sign-in alone: a page sign-in (one
    # UserAuthentication request) and its code's redemption (a bucket of its own) go through.
    time.sleep(1.1)
    verifier, challenge = pkce()
    code = code_for(app, app.public, code_challenge=challenge, code_challenge_method="S256")
    redeemed = app.token({"grant_type": "authorization_code", "client_id": app.public, "code": code,
                          "redirect_uri": CALLBACK, "code_verifier": verifier})
    assert redeemed.status_code == 200, redeemed.text
    refresh = {"grant_type": "refresh_token", "client_id": app.public,
               "refresh_token": redeemed.json()["refresh_token"]}

    # UserAuthentication is shared by the API, the page's sign-in form and refresh_token grants.
    time.sleep(1.1)
    outcomes = burst(lambda: cognito.admin_initiate_auth(
        UserPoolId=app.pool_id, ClientId=app.public, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": app.username, "PASSWORD": AUTH_PASSWORD}), 6)
    assert outcomes.count("TooManyRequestsException") >= 2, outcomes
    assert app.token(refresh).status_code == 429
    browser = Browser()
    page = browser.follow(browser.get(authorize_url(app, app.public)))
    assert page.status_code == 200, "showing the page counts against nothing"
    refused = browser.submit(page, {"username": app.username, "password": AUTH_PASSWORD})
    assert refused.status_code == 429, (refused.status_code, refused.text[:300])
    assert "Wait a moment, then try again." in refused.text
    assert refused.headers["Cache-Control"] == "no-store"

    time.sleep(1.1)
    assert app.token(refresh).status_code == 200, "the bucket refills"
