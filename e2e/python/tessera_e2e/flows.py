"""What an application does with Cognito, one helper per step, so tests read like the product.

Creating pools, app clients and users (`make_pool`, `make_app_client`, `make_user`,
`confirmed_user`, `pool_with_user`, `sign_up`); reading the codes Tessera sends (`outbox`,
`codes_for`, `latest_code`); signing in with a password (`password_auth`, `sign_in`,
`fail_sign_in`, `refresh`) or with SRP through pycognito, the client code real apps run
(`srp_start`, `srp_sign_in`, `pycognito_user`); and reading or verifying the tokens
(`assert_tokens`, `jwt_claims`, `jwt_header`, `verify_token`).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import re
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import jwt
import requests
from botocore.exceptions import ClientError
from jwt import PyJWKClient
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP

from .aws import base_url, expect_error, make_client

# Satisfies Cognito's default policy (8 chars, upper, lower, digit, symbol).
AUTH_PASSWORD = "Passw0rd!"
AUTH_NEW_PASSWORD = "N3w-Passw0rd!"

# Cognito's answers that many tests expect word for word: a wrong password (and, with
# PreventUserExistenceErrors, an unknown user; developer guide, "Managing error responses"),
# a locked-out user, and tokens after a sign-out or revocation.
WRONG_PASSWORD = "Incorrect username or password."
LOCKED = "Password attempts exceeded"
REVOKED_ACCESS = "Access Token has been revoked"
REVOKED_REFRESH = "Refresh Token has been revoked"

# Every flow the tests need, in the ALLOW_ form.
ALL_AUTH_FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]

_CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_counter = iter(range(10**9))


def unique(prefix: str = "t") -> str:
    """A name unique across runs, workers and calls: `prefix-xxxxxxxxxx-n`.
    Valid as pool, client, group and user name."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}{next(_counter)}"


def is_uuid(value) -> bool:
    """True for a UUID in canonical (lower-case, hyphenated) form."""
    try:
        return str(uuid.UUID(value)) == value
    except (TypeError, ValueError):
        return False


def recent(ts, within: float = 600) -> bool:
    """True for a timezone-aware datetime less than `within` seconds from now (botocore
    parses the API's timestamps into those)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return isinstance(ts, datetime.datetime) and abs((now - ts).total_seconds()) < within


# --------------------------------------------------------------------------
# pools, clients, users
# --------------------------------------------------------------------------


def make_pool(cognito, *, password_policy: dict | None = None, **settings) -> str:
    """A fresh user pool with `settings` (CreateUserPool members); returns its id.
    `password_policy` is shorthand for Policies={"PasswordPolicy": password_policy}."""
    if password_policy is not None:
        settings["Policies"] = {"PasswordPolicy": password_policy}
    return cognito.create_user_pool(PoolName=unique("pool"), **settings)["UserPool"]["Id"]


def make_app_client(cognito, pool_id: str, *, secret: bool = False, flows=None, **settings) -> dict:
    """A fresh app client allowing every flow the tests use (or `flows`); returns the
    UserPoolClient dict (ClientId, and ClientSecret when `secret`)."""
    return cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=unique("client"),
        GenerateSecret=secret,
        ExplicitAuthFlows=list(ALL_AUTH_FLOWS if flows is None else flows),
        **settings,
    )["UserPoolClient"]


def attr_list(attributes: dict | None) -> list[dict]:
    """{"email": "a@b"} -> [{"Name": "email", "Value": "a@b"}]"""
    return [{"Name": k, "Value": v} for k, v in (attributes or {}).items()]


def attr_dict(attribute_list) -> dict:
    """[{"Name": "email", "Value": "a@b"}] -> {"email": "a@b"}"""
    return {a["Name"]: a["Value"] for a in attribute_list}


def make_user(cognito, pool_id: str, username: str, attributes: dict | None = None, *,
              password: str | None = AUTH_PASSWORD, **request) -> dict:
    """AdminCreateUser without an invitation (MessageAction SUPPRESS unless `request`
    says otherwise): a FORCE_CHANGE_PASSWORD user whose temporary password is `password`
    (None: the server generates one). `attributes` become UserAttributes (left out when
    None); `request` adds other AdminCreateUser members. Returns the created User."""
    request.setdefault("MessageAction", "SUPPRESS")
    if password is not None:
        request.setdefault("TemporaryPassword", password)
    if attributes is not None:
        request["UserAttributes"] = attr_list(attributes)
    return cognito.admin_create_user(UserPoolId=pool_id, Username=username, **request)["User"]


def confirmed_user(cognito, pool_id: str, username: str, password: str = AUTH_PASSWORD,
                   attributes: dict | None = None) -> dict:
    """A CONFIRMED user made with the admin API (AdminCreateUser + permanent
    AdminSetUserPassword), independent of SignUp. Returns AdminGetUser's answer."""
    make_user(cognito, pool_id, username, attributes or {}, password=None)
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password,
                                    Permanent=True)
    return admin_get_user(cognito, pool_id, username)


def pool_with_user(cognito, username: str = "alice", attributes: dict | None = None,
                   **pool_settings) -> tuple[str, str]:
    """A fresh pool, an app client allowing every flow, and a confirmed user with
    AUTH_PASSWORD: (pool_id, client_id)."""
    pool_id = make_pool(cognito, **pool_settings)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, username, attributes=attributes)
    return pool_id, client_id


def sign_up(cognito, client_id: str, username: str, password: str = AUTH_PASSWORD, **attributes) -> dict:
    """SignUp with `attributes` as UserAttributes (email="a@b", ...); returns the answer."""
    return cognito.sign_up(ClientId=client_id, Username=username, Password=password,
                           UserAttributes=attr_list(attributes))


def admin_get_user(cognito, pool_id: str, username: str) -> dict:
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)


def user_status(cognito, pool_id: str, username: str) -> str:
    return admin_get_user(cognito, pool_id, username)["UserStatus"]


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Cognito's SECRET_HASH: base64(HMAC-SHA256(secret, username + client_id))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


# --------------------------------------------------------------------------
# messages and codes
# --------------------------------------------------------------------------


def outbox(server, pool_id: str | None = None, recipient: str | None = None) -> list[dict]:
    """The messages the server's dev outbox holds, oldest first, optionally filtered."""
    params = {}
    if pool_id is not None:
        params["pool_id"] = pool_id
    if recipient is not None:
        params["recipient"] = recipient
    r = requests.get(f"{server.url}/_tessera/outbox", params=params, timeout=10)
    r.raise_for_status()
    return r.json()["messages"]


def code_in(text: str) -> str:
    """The 6-digit code in a message body."""
    hit = _CODE_RE.search(text)
    assert hit, f"no 6-digit code in {text!r}"
    return hit.group(1)


def codes_for(server, pool_id: str, recipient: str, kind: str = "code") -> list[str]:
    """Every 6-digit code sent to `recipient` in `pool_id`, oldest first."""
    return [code_in(m["body"]) for m in outbox(server, pool_id=pool_id, recipient=recipient)
            if m.get("kind") == kind]


def latest_code(server, pool_id: str, recipient: str) -> str:
    codes = codes_for(server, pool_id, recipient)
    assert codes, f"no code message for {recipient} in {outbox(server, pool_id=pool_id)!r}"
    return codes[-1]


# --------------------------------------------------------------------------
# signing in
# --------------------------------------------------------------------------


def password_auth(cognito, client_id: str, username: str, password: str,
                  client_secret: str | None = None, secret_username: str | None = None) -> dict:
    """InitiateAuth USER_PASSWORD_AUTH; returns the whole response."""
    params = {"USERNAME": username, "PASSWORD": password}
    if client_secret is not None:
        params["SECRET_HASH"] = secret_hash(secret_username or username, client_id, client_secret)
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def sign_in(cognito, client_id: str, username: str, password: str = AUTH_PASSWORD,
            client_secret: str | None = None) -> dict:
    """USER_PASSWORD_AUTH that must succeed; returns the AuthenticationResult."""
    resp = password_auth(cognito, client_id, username, password, client_secret)
    assert "AuthenticationResult" in resp, f"expected tokens, got {resp!r}"
    return resp["AuthenticationResult"]


def parallel_wrong_passwords(clients, client_id: str, username: str,
                             password: str = "Wrong-Passw0rd!") -> Counter:
    """One wrong USER_PASSWORD_AUTH per client in `clients`, all released at once (one
    thread each); returns how many answers carried each (error code, message). Answers
    "Incorrect username or password." are the guesses that reached the password check."""
    barrier = threading.Barrier(len(clients))

    def guess(cognito):
        barrier.wait(timeout=60)
        try:
            password_auth(cognito, client_id, username, password)
            return ("signed in", "")
        except ClientError as e:
            return (e.response["Error"]["Code"], e.response["Error"].get("Message"))

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return Counter(pool.map(guess, clients))


def checks_the_lockout_allows(elapsed: float) -> int:
    """How many wrong passwords may reach the check within `elapsed` seconds: five, and one
    more each time a lockout lapses (the first lasts 1 s, each next one twice as long), so
    guesses spread over a slow machine's second are not miscounted as a race lost."""
    allowed, lapse = 5, 1.0
    while elapsed >= lapse:
        allowed += 1
        lapse = 2 * lapse + 1
    return allowed


def fail_sign_in(clients, client_id: str, username: str, times: int,
                 password: str = "Wrong-Passw0rd!") -> None:
    """`times` failed USER_PASSWORD_AUTH sign-ins, taking turns over `clients` (one boto3
    client, or several: one per node). Each is refused as a wrong password; the last may be
    the failure that starts a lockout, and which message that one carries is not documented,
    so it may also be the lockout message."""
    turns: Sequence = clients if isinstance(clients, (list, tuple)) else [clients]
    for i in range(times):
        with expect_error("NotAuthorizedException") as caught:
            password_auth(turns[i % len(turns)], client_id, username, password)
        allowed = {WRONG_PASSWORD} if i < times - 1 else {WRONG_PASSWORD, LOCKED}
        assert caught.message in allowed, caught.error


def refresh(cognito, client_id: str, token: str, flow: str = "REFRESH_TOKEN_AUTH", **extra) -> dict:
    """InitiateAuth with a refresh token (`extra` adds AuthParameters such as SECRET_HASH);
    returns the AuthenticationResult."""
    params = {"REFRESH_TOKEN": token, **extra}
    return cognito.initiate_auth(ClientId=client_id, AuthFlow=flow, AuthParameters=params)["AuthenticationResult"]


def _aws_srp(cognito, pool_id, client_id, username, password, client_secret) -> AWSSRP:
    return AWSSRP(username=username, password=password, pool_id=pool_id, client_id=client_id,
                  client=cognito, client_secret=client_secret)


def srp_start(cognito, pool_id: str, client_id: str, username: str, password: str = AUTH_PASSWORD,
              client_secret: str | None = None, *, admin: bool = False):
    """The first half of USER_SRP_AUTH with pycognito's values: InitiateAuth (or, with
    `admin`, AdminInitiateAuth) on `cognito`. Returns (srp, auth_params, response); the
    PASSWORD_VERIFIER answer is `srp.process_challenge(response["ChallengeParameters"],
    auth_params)`, to send wherever the test wants."""
    srp = _aws_srp(cognito, pool_id, client_id, username, password, client_secret)
    params = srp.get_auth_params()
    if admin:
        resp = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                                           AuthParameters=params)
    else:
        resp = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    return srp, params, resp


def srp_sign_in(server, pool_id: str, client_id: str, username: str, password: str = AUTH_PASSWORD,
                client_secret: str | None = None) -> dict:
    """The whole USER_SRP_AUTH exchange as pycognito's AWSSRP runs it (the real client
    code); returns the RespondToAuthChallenge response."""
    return _aws_srp(make_client(server), pool_id, client_id, username, password, client_secret).authenticate_user()


def pycognito_user(server, pool_id: str, client_id: str, username: str) -> Cognito:
    """pycognito's high-level `Cognito` for one user, pointed at `server`."""
    return Cognito(pool_id, client_id, username=username, boto3_client_kwargs={
        "endpoint_url": server.url, "aws_access_key_id": "test", "aws_secret_access_key": "test"})


# --------------------------------------------------------------------------
# tokens
# --------------------------------------------------------------------------


def assert_tokens(auth: dict) -> dict:
    """An AuthenticationResult with all three tokens, Bearer, one hour; returns it."""
    for key in ("AccessToken", "IdToken", "RefreshToken"):
        assert isinstance(auth.get(key), str) and auth[key], key
    assert auth["TokenType"] == "Bearer"
    assert auth["ExpiresIn"] == 3600
    return auth


def _b64_json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def jwt_claims(token: str) -> dict:
    """The payload of a JWT, unverified."""
    return _b64_json(token.split(".")[1])


def jwt_header(token: str) -> dict:
    return _b64_json(token.split(".")[0])


def issuer_of(server, pool_id: str) -> str:
    """The `iss` Tessera uses by default: its listen URL + "/" + pool id."""
    return f"{server.url}/{pool_id}"


def verify_token(token: str, server, pool_id: str, audience: str | None = None,
                 issuer: str | None = None) -> dict:
    """Verify `token` with PyJWT as a resource server would: the signature against
    `server`'s JWKS for the pool, `iss` (default: the server's URL + pool id), `aud` when
    `audience` is given, and exp/iat/iss/sub present. Returns the claims."""
    base = base_url(server)
    key = PyJWKClient(f"{base}/{pool_id}/.well-known/jwks.json", cache_keys=False).get_signing_key_from_jwt(token)
    options = {"require": ["exp", "iat", "iss", "sub"]}
    if audience is None:
        options["verify_aud"] = False
    return jwt.decode(token, key.key, algorithms=["RS256"], audience=audience,
                      issuer=issuer or f"{base}/{pool_id}", options=options)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
