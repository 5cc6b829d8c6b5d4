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
