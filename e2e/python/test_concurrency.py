"""Uniqueness under concurrency is enforced by the store, not by
read-then-write in application code."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

from tessera_e2e.aws import make_client
from tessera_e2e.flows import attr_dict, unique

N = 50


def race(server, fn):
    """Run fn(client) N times at once, each on its own boto3 client; returns
    a Counter of 'ok' / error codes and the list of raw outcomes."""
    clients = [make_client(server) for _ in range(N)]
    barrier = threading.Barrier(N)

    def attempt(client):
        barrier.wait(timeout=60)
        try:
            return ("ok", fn(client))
        except ClientError as e:
            return (e.response["Error"]["Code"], e.response["Error"].get("Message"))
        except Exception as e:  # noqa: BLE001 - a transport failure is a finding too
            return (f"{type(e).__name__}", str(e))

    with ThreadPoolExecutor(max_workers=N) as pool:
        outcomes = list(pool.map(attempt, clients))
    return Counter(o[0] for o in outcomes), outcomes


def test_parallel_admin_create_user_same_username(server, cognito, pool):
    username = unique("racer")
    counts, outcomes = race(server, lambda c: c.admin_create_user(
        UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "racer@example.com"}]))
    assert counts == Counter({"ok": 1, "UsernameExistsException": N - 1}), outcomes
    users = cognito.list_users(UserPoolId=pool)["Users"]
    assert [u["Username"] for u in users] == [username]
    winner = next(r for code, r in outcomes if code == "ok")
    sub = attr_dict(winner["User"]["Attributes"])["sub"]
    stored = attr_dict(cognito.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"])
    assert stored["sub"] == sub
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["EstimatedNumberOfUsers"] == 1


def test_parallel_create_group_same_name(server, cognito, pool):
    name = unique("group")
    counts, outcomes = race(server, lambda c: c.create_group(UserPoolId=pool, GroupName=name, Description="race"))
    assert counts == Counter({"ok": 1, "GroupExistsException": N - 1}), outcomes
    groups = cognito.list_groups(UserPoolId=pool)["Groups"]
    assert [g["GroupName"] for g in groups] == [name]


def test_parallel_distinct_users_all_succeed(server, cognito, pool):
    names = [unique("distinct") for _ in range(N)]
    it = iter(names)
    lock = threading.Lock()

    def create(c):
        with lock:
            n = next(it)
        return c.admin_create_user(UserPoolId=pool, Username=n, MessageAction="SUPPRESS")

    counts, outcomes = race(server, create)
    assert counts == Counter({"ok": N}), outcomes
    listed, token = [], None
    while True:
        kw = {"UserPoolId": pool, "Limit": 60}
        if token:
            kw["PaginationToken"] = token
        resp = cognito.list_users(**kw)
        listed += [u["Username"] for u in resp["Users"]]
        token = resp.get("PaginationToken")
        if not token:
            break
    assert sorted(listed) == sorted(names)


def test_parallel_pool_creation_unique_ids(server, cognito):
    prefix = unique("parpool")
    counts, outcomes = race(server, lambda c: c.create_user_pool(PoolName=prefix)["UserPool"]["Id"])
    try:
        assert counts == Counter({"ok": N}), outcomes
        ids = [r for _, r in outcomes]
        assert len(set(ids)) == N
    finally:
        for code, pool_id in outcomes:
            if code == "ok":
                cognito.delete_user_pool(UserPoolId=pool_id)


def test_server_healthy_after_races(server, cognito):
    assert cognito.list_user_pools(MaxResults=1)["ResponseMetadata"]["HTTPStatusCode"] == 200
