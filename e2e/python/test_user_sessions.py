"""User sessions with boto3 1.44.8: ListUserSessions, AdminListUserSessions, RevokeUserSession,
AdminRevokeUserSession, Get/SetUserPoolSessionConfiguration and
Get/SetUserPoolClientSessionConfiguration against the running binary.

What Cognito documents (botocore 1.44.8's model and the API reference,
docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html; the
developer guide's "Managing user sessions", docs.aws.amazon.com/cognito/latest/developerguide/
managing-user-sessions.html) and these tests hold Tessera to:

- A token session is one sign-in and the refresh token it was given; a new authentication
  makes a new session, a refresh updates the session's LastActiveDate, LastIPAddress and
  DeviceType. Session ids are "tkn" and 25 lowercase letters and digits.
- Only active sessions are listed (revoked and expired ones are not), all of them in one page
  of up to 125, across every app client of the pool. IsCurrentSession marks the session of the
  access token ListUserSessions was called with, and is always false in AdminListUserSessions.
- Revoking a session revokes its refresh and access tokens. RevokeUserSession "can't revoke the
  session that the calling access token belongs to".
- UserSessionTracking defaults to DISABLED and TokenSession.MaxPerUser to 20 (1 to 100);
  SSOSession.MaxValidityMinutes defaults to 60 (0 to 129600). The Set operations replace the
  whole configuration, need the Essentials or Plus tier (else FeatureUnavailableInTierException),
  and the client's needs session tracking on. When a user is at MaxPerUser, the next successful
  authentication evicts the least recently used token session.

Decided where Cognito does not say (recorded here so the tests state it):
- "When session tracking is off, Amazon Cognito does not store server-side session records":
  with it DISABLED, listing and revoking sessions, and setting a client's SSO-session validity,
  answer OperationNotEnabledException (modelled for each of these operations). The Get
  operations answer whatever the tracking setting.
- Revoking one's own current session is an InvalidParameterException (the request names a
  session it may not), and a session id that is not one of the user's live sessions (unknown,
  revoked, another user's) is a ResourceNotFoundException.
- Tessera keeps no server-side record of the hosted pages' browser (SSO) session, so only TOKEN
  sessions are listed, OriginSessionId is never set and LINKED revokes the token session alone.
  No geo-IP database is at hand, so LastLocation is left out.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import (
    REVOKED_ACCESS,
    REVOKED_REFRESH,
    confirmed_user,
    make_app_client,
    make_pool,
    pool_with_user,
    refresh,
    sign_in,
    unique,
)

SESSION_ID = re.compile(r"^tkn[a-z0-9]{25}$")
NOT_ENABLED = "OperationNotEnabledException"


def enable_tracking(cognito, pool_id: str, max_per_user: int = 20) -> dict:
    return cognito.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": max_per_user})


def tracked_pool(cognito, max_per_user: int = 20) -> tuple[str, str]:
    pool_id, client_id = pool_with_user(cognito)
    enable_tracking(cognito, pool_id, max_per_user)
    return pool_id, client_id


def sign_ins(cognito, client_id: str, n: int, username: str = "alice") -> list[dict]:
    """`n` sign-ins, a few milliseconds apart so their last uses order them."""
    results = []
    for _ in range(n):
        results.append(sign_in(cognito, client_id, username))
        time.sleep(0.01)
    return results


def admin_sessions(cognito, pool_id: str, username: str = "alice") -> list[dict]:
    answer = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=username)
    assert "NextToken" not in answer
    return answer["Sessions"]


def current_id(cognito, access_token: str) -> str:
    (mine,) = [s for s in cognito.list_user_sessions(AccessToken=access_token)["Sessions"]
               if s["IsCurrentSession"]]
    return mine["SessionId"]


# ---------------------------------------------------------------- configuration


def test_pool_configuration_defaults_set_and_kept_apart_from_describe(cognito, pool):
    assert cognito.get_user_pool_session_configuration(UserPoolId=pool) | {"ResponseMetadata": None} == {
        "UserPoolId": pool,
        "UserSessionTracking": "DISABLED",
        "TokenSession": {"MaxPerUser": 20},
        "ResponseMetadata": None,
    }
    answer = enable_tracking(cognito, pool, 7)
    assert (answer["UserPoolId"], answer["UserSessionTracking"], answer["TokenSession"]) == (
        pool, "ENABLED", {"MaxPerUser": 7})
    got = cognito.get_user_pool_session_configuration(UserPoolId=pool)
    assert (got["UserSessionTracking"], got["TokenSession"]) == ("ENABLED", {"MaxPerUser": 7})
    # Not members of UserPoolType, and UpdateUserPool (which replaces its members) keeps them.
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert "UserSessionTracking" not in described and "TokenSession" not in described
    cognito.update_user_pool(UserPoolId=pool, MfaConfiguration="OFF")
    got = cognito.get_user_pool_session_configuration(UserPoolId=pool)
    assert (got["UserSessionTracking"], got["TokenSession"]) == ("ENABLED", {"MaxPerUser": 7})
    # Every member is required: the whole configuration is replaced.
    cognito.set_user_pool_session_configuration(
        UserPoolId=pool, UserSessionTracking="DISABLED", TokenSession={"MaxPerUser": 1})
    got = cognito.get_user_pool_session_configuration(UserPoolId=pool)
    assert (got["UserSessionTracking"], got["TokenSession"]) == ("DISABLED", {"MaxPerUser": 1})


def test_client_configuration_defaults_needs_tracking_and_is_kept_apart(cognito, pool_with_client):
    pool_id, client_id = pool_with_client
    got = cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert (got["UserPoolId"], got["ClientId"], got["SSOSession"]) == (
        pool_id, client_id, {"MaxValidityMinutes": 60})
    # Setting it needs session tracking on in the pool.
    with expect_error(NOT_ENABLED):
        cognito.set_user_pool_client_session_configuration(
            UserPoolId=pool_id, ClientId=client_id, SSOSession={"MaxValidityMinutes": 5})
    enable_tracking(cognito, pool_id)
    answer = cognito.set_user_pool_client_session_configuration(
        UserPoolId=pool_id, ClientId=client_id, SSOSession={"MaxValidityMinutes": 0})
    assert (answer["UserPoolId"], answer["ClientId"], answer["SSOSession"]) == (
        pool_id, client_id, {"MaxValidityMinutes": 0})
    got = cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert got["SSOSession"] == {"MaxValidityMinutes": 0}
    # Not a member of UserPoolClientType; UpdateUserPoolClient keeps it.
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert "SSOSession" not in described["UserPoolClient"]
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName="renamed")
    got = cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert got["SSOSession"] == {"MaxValidityMinutes": 0}
    # Turning tracking off keeps the client's setting, dormant.
    cognito.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="DISABLED", TokenSession={"MaxPerUser": 20})
    got = cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert got["SSOSession"] == {"MaxValidityMinutes": 0}


def test_set_operations_need_the_essentials_or_plus_tier(cognito):
    pool_id = make_pool(cognito, UserPoolTier="LITE")
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("FeatureUnavailableInTierException"):
        enable_tracking(cognito, pool_id)
    with expect_error("FeatureUnavailableInTierException"):
        cognito.set_user_pool_client_session_configuration(
            UserPoolId=pool_id, ClientId=client_id, SSOSession={"MaxValidityMinutes": 5})
    # Reading is not refused: the defaults.
    assert cognito.get_user_pool_session_configuration(UserPoolId=pool_id)["UserSessionTracking"] == "DISABLED"
    cognito.update_user_pool(UserPoolId=pool_id, UserPoolTier="PLUS")
    assert enable_tracking(cognito, pool_id)["UserSessionTracking"] == "ENABLED"


@pytest.mark.parametrize("call", [
    lambda c, p, k: c.set_user_pool_session_configuration(
        UserPoolId=p, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 0}),
    lambda c, p, k: c.set_user_pool_session_configuration(
        UserPoolId=p, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": 101}),
    lambda c, p, k: c.set_user_pool_session_configuration(
        UserPoolId=p, UserSessionTracking="SOMETIMES", TokenSession={"MaxPerUser": 5}),
    lambda c, p, k: c.set_user_pool_session_configuration(UserPoolId=p, UserSessionTracking="ENABLED"),
    lambda c, p, k: c.set_user_pool_client_session_configuration(
        UserPoolId=p, ClientId=k, SSOSession={"MaxValidityMinutes": 129601}),
    lambda c, p, k: c.set_user_pool_client_session_configuration(
        UserPoolId=p, ClientId=k, SSOSession={"MaxValidityMinutes": -1}),
    lambda c, p, k: c.admin_revoke_user_session(UserPoolId=p, Username="alice", SessionId="tkn-short"),
    lambda c, p, k: c.admin_revoke_user_session(
        UserPoolId=p, Username="alice", SessionId="abc" + "a" * 25),
    lambda c, p, k: c.admin_revoke_user_session(
        UserPoolId=p, Username="alice", SessionId="tkn" + "a" * 25, RevokeAssociatedSessions="ALL"),
], ids=["max-0", "max-101", "tracking-enum", "token-session-missing", "minutes-over",
        "minutes-negative", "session-id-length", "session-id-prefix", "associated-enum"])
def test_the_models_constraints_are_invalid_parameters(lax, cognito, call):
    """The model's ranges, enums, patterns and required members, checked by the server (the
    client's own checks are off)."""
    pool_id, client_id = tracked_pool(cognito)
    with expect_error("InvalidParameterException"):
        call(lax, pool_id, client_id)


def test_unknown_pool_client_and_user(cognito, pool_with_client):
    pool_id, client_id = pool_with_client
    missing_pool = pool_id.split("_")[0] + "_nothere0"
    for call in (
        lambda: cognito.get_user_pool_session_configuration(UserPoolId=missing_pool),
        lambda: enable_tracking(cognito, missing_pool),
        lambda: cognito.get_user_pool_client_session_configuration(UserPoolId=missing_pool, ClientId=client_id),
        lambda: cognito.admin_list_user_sessions(UserPoolId=missing_pool, Username="alice"),
    ):
        with expect_error("ResourceNotFoundException"):
            call()
    with expect_error("ResourceNotFoundException"):
        cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId="a" * 26)
    enable_tracking(cognito, pool_id)
    with expect_error("UserNotFoundException"):
        cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="nobody")
    with expect_error("UserNotFoundException"):
        cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="nobody", SessionId="tkn" + "0" * 25)
    with expect_error("NotAuthorizedException"):
        cognito.list_user_sessions(AccessToken="not.a.token")


# ---------------------------------------------------------------- sessions


def test_three_sign_ins_are_three_sessions_and_revoking_one_ends_only_its_tokens(cognito):
    """The issue's proof on one node: three sign-ins list three sessions; revoking one refuses
    its refresh token and its access token, and leaves the other two working."""
    pool_id, client_id = tracked_pool(cognito)
    first, second, third = sign_ins(cognito, client_id, 3)

    listed = cognito.list_user_sessions(AccessToken=first["AccessToken"])
    assert "NextToken" not in listed
    sessions = listed["Sessions"]
    assert len(sessions) == 3
    assert len({s["SessionId"] for s in sessions}) == 3
    for s in sessions:
        assert SESSION_ID.match(s["SessionId"]), s
        assert s["SessionType"] == "TOKEN"
        assert s["ClientId"] == client_id
        assert isinstance(s["CreateDate"], datetime) and isinstance(s["LastActiveDate"], datetime)
        assert s["LastActiveDate"] >= s["CreateDate"]
        assert s["DeviceType"].startswith("Boto3"), s["DeviceType"]
        assert s["LastIPAddress"] == "127.0.0.1"
        assert "OriginSessionId" not in s and "LastLocation" not in s
    # The caller's own session is the current one; the admin listing has no current session.
    assert sum(s["IsCurrentSession"] for s in sessions) == 1
    ids = [current_id(cognito, t["AccessToken"]) for t in (first, second, third)]
    assert len(set(ids)) == 3 and set(ids) == {s["SessionId"] for s in sessions}
    admin = admin_sessions(cognito, pool_id)
    assert {s["SessionId"] for s in admin} == set(ids)
    assert not any(s["IsCurrentSession"] for s in admin)
    # Most recently active first.
    assert [s["SessionId"] for s in admin] == list(reversed(ids))

    # The first session revokes the second.
    assert cognito.revoke_user_session(AccessToken=first["AccessToken"], SessionId=ids[1]) | {
        "ResponseMetadata": None} == {"ResponseMetadata": None}
    with expect_error("NotAuthorizedException", REVOKED_REFRESH):
        refresh(cognito, client_id, second["RefreshToken"])
    with expect_error("NotAuthorizedException", REVOKED_ACCESS):
        cognito.get_user(AccessToken=second["AccessToken"])
    for alive in (first, third):
        assert cognito.get_user(AccessToken=alive["AccessToken"])["Username"] == "alice"
        assert refresh(cognito, client_id, alive["RefreshToken"])["AccessToken"]
    assert {s["SessionId"] for s in admin_sessions(cognito, pool_id)} == {ids[0], ids[2]}

    # A revoked session is gone: revoking it again finds nothing.
    with expect_error("ResourceNotFoundException"):
        cognito.revoke_user_session(AccessToken=first["AccessToken"], SessionId=ids[1])


def test_the_current_session_cannot_revoke_itself(cognito):
    pool_id, client_id = tracked_pool(cognito)
    (tokens,) = sign_ins(cognito, client_id, 1)
    mine = current_id(cognito, tokens["AccessToken"])
    with expect_error("InvalidParameterException"):
        cognito.revoke_user_session(AccessToken=tokens["AccessToken"], SessionId=mine)
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    # An administrator may.
    cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice", SessionId=mine,
                                      RevokeAssociatedSessions="LINKED")
    with expect_error("NotAuthorizedException", REVOKED_ACCESS):
        cognito.get_user(AccessToken=tokens["AccessToken"])


def test_admin_revoke_names_the_user_who_owns_the_session(cognito):
    pool_id, client_id = tracked_pool(cognito)
    confirmed_user(cognito, pool_id, "bob")
    (alice,) = sign_ins(cognito, client_id, 1, "alice")
    (bob,) = sign_ins(cognito, client_id, 1, "bob")
    (bobs,) = admin_sessions(cognito, pool_id, "bob")
    # Bob's session is not Alice's to revoke, by either operation.
    with expect_error("ResourceNotFoundException"):
        cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice", SessionId=bobs["SessionId"])
    with expect_error("ResourceNotFoundException"):
        cognito.revoke_user_session(AccessToken=alice["AccessToken"], SessionId=bobs["SessionId"])
    # An id of the right form that names no session.
    with expect_error("ResourceNotFoundException"):
        cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="bob", SessionId="tkn" + "0" * 25)
    assert cognito.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"
    cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="bob", SessionId=bobs["SessionId"],
                                      RevokeAssociatedSessions="NONE")
    with expect_error("NotAuthorizedException", REVOKED_REFRESH):
        refresh(cognito, client_id, bob["RefreshToken"])
    assert admin_sessions(cognito, pool_id, "bob") == []
    assert len(admin_sessions(cognito, pool_id, "alice")) == 1


def test_sessions_span_app_clients_and_leave_with_sign_out(cognito):
    pool_id, web = tracked_pool(cognito)
    mobile = make_app_client(cognito, pool_id)["ClientId"]
    on_web = sign_in(cognito, web, "alice")
    sign_in(cognito, mobile, "alice")
    sessions = cognito.list_user_sessions(AccessToken=on_web["AccessToken"])["Sessions"]
    assert sorted(s["ClientId"] for s in sessions) == sorted([web, mobile])
    # GlobalSignOut revokes every family: no session is active any more.
    cognito.global_sign_out(AccessToken=on_web["AccessToken"])
    assert admin_sessions(cognito, pool_id) == []


def test_a_refresh_is_the_sessions_latest_use(cognito):
    pool_id, client_id = tracked_pool(cognito)
    older, newer = sign_ins(cognito, client_id, 2)
    before = {s["SessionId"]: s for s in admin_sessions(cognito, pool_id)}
    older_id = current_id(cognito, older["AccessToken"])
    time.sleep(0.02)
    refresh(cognito, client_id, older["RefreshToken"])
    after = admin_sessions(cognito, pool_id)
    # The refreshed session moves to the front; its creation stays, its last use moves on.
    assert after[0]["SessionId"] == older_id
    assert after[0]["CreateDate"] == before[older_id]["CreateDate"]
    assert after[0]["LastActiveDate"] > before[older_id]["LastActiveDate"]


def test_max_per_user_evicts_the_least_recently_used_session(cognito):
    """MaxPerUser 2: the third sign-in evicts the session used least recently — here the second
    sign-in's, since the first was refreshed after it."""
    pool_id, client_id = tracked_pool(cognito, max_per_user=2)
    first, second = sign_ins(cognito, client_id, 2)
    refresh(cognito, client_id, first["RefreshToken"])
    time.sleep(0.01)
    third = sign_in(cognito, client_id, "alice")
    assert len(admin_sessions(cognito, pool_id)) == 2
    with expect_error("NotAuthorizedException", REVOKED_REFRESH):
        refresh(cognito, client_id, second["RefreshToken"])
    with expect_error("NotAuthorizedException", REVOKED_ACCESS):
        cognito.get_user(AccessToken=second["AccessToken"])
    for alive in (first, third):
        assert cognito.get_user(AccessToken=alive["AccessToken"])["Username"] == "alice"
    # Lowering the limit evicts nothing by itself; the next sign-in brings the user within it.
    enable_tracking(cognito, pool_id, max_per_user=1)
    assert len(admin_sessions(cognito, pool_id)) == 2
    fourth = sign_in(cognito, client_id, "alice")
    (only,) = admin_sessions(cognito, pool_id)
    assert only["SessionId"] == current_id(cognito, fourth["AccessToken"])


def test_a_pool_without_tracking_lists_and_revokes_nothing(cognito):
    """UserSessionTracking DISABLED (the default): OperationNotEnabledException; tokens work and
    no session is evicted whatever MaxPerUser says."""
    pool_id, client_id = pool_with_user(cognito)
    cognito.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="DISABLED", TokenSession={"MaxPerUser": 1})
    first, second = sign_ins(cognito, client_id, 2)
    for call in (
        lambda: cognito.list_user_sessions(AccessToken=first["AccessToken"]),
        lambda: cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice"),
        lambda: cognito.revoke_user_session(AccessToken=first["AccessToken"], SessionId="tkn" + "0" * 25),
        lambda: cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice",
                                                  SessionId="tkn" + "0" * 25),
    ):
        with expect_error(NOT_ENABLED):
            call()
    for tokens in (first, second):
        assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    # Turned on, the sign-ins made meanwhile are the user's sessions.
    enable_tracking(cognito, pool_id)
    assert len(admin_sessions(cognito, pool_id)) == 2


def test_every_session_operation_answers_through_a_fresh_pool(cognito):
    """Each of the eight operations once, with the shapes boto3 parses."""
    pool_id, client_id = tracked_pool(cognito)
    name = unique("u")
    confirmed_user(cognito, pool_id, name)
    a, b = sign_ins(cognito, client_id, 2, name)
    assert cognito.get_user_pool_session_configuration(UserPoolId=pool_id)["UserSessionTracking"] == "ENABLED"
    cognito.set_user_pool_client_session_configuration(
        UserPoolId=pool_id, ClientId=client_id, SSOSession={"MaxValidityMinutes": 129600})
    assert cognito.get_user_pool_client_session_configuration(
        UserPoolId=pool_id, ClientId=client_id)["SSOSession"]["MaxValidityMinutes"] == 129600
    b_id = current_id(cognito, b["AccessToken"])
    assert len(cognito.admin_list_user_sessions(UserPoolId=pool_id, Username=name)["Sessions"]) == 2
    cognito.revoke_user_session(AccessToken=a["AccessToken"], SessionId=b_id)
    (left,) = cognito.list_user_sessions(AccessToken=a["AccessToken"])["Sessions"]
    cognito.admin_revoke_user_session(UserPoolId=pool_id, Username=name, SessionId=left["SessionId"])
    with expect_error("NotAuthorizedException", REVOKED_ACCESS):
        cognito.list_user_sessions(AccessToken=a["AccessToken"])
