"""Identity pools (the cognito-identity API) with real boto3, PyJWT and an STS-compatible server.

Tessera answers `AWSCognitoIdentityService.*` on the same listener as the user-pool API. These
tests drive it with boto3's `cognito-identity` client and check what a Cognito user would:

- the management operations (signed) and their errors; unsigned management calls are refused;
- GetId for guests and for user-pool logins (the same user always gets the same IdentityId,
  also on a second node over one PostgreSQL database), and a guest becoming authenticated;
- GetCredentialsForIdentity: Tessera signs its own OpenID token for the identity and exchanges
  it at the configured STS-compatible endpoint with AssumeRoleWithWebIdentity. The endpoint is
  moto's server, started here; GetCallerIdentity with the credentials it returned names the
  role Tessera chose (default roles, `Rules` and `Token` role mappings, `Deny` ambiguity);
- the basic flow: GetOpenIdToken verifies with PyJWT against the identity issuer's JWKS with
  `aud` = the identity pool, then AssumeRoleWithWebIdentity at moto;
- developer identities: GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity,
  MergeDeveloperIdentities, UnlinkDeveloperIdentity;
- refused logins: expired, tampered, wrong-audience and signed-out ID tokens, a pool the
  identity pool does not name, guests when the pool allows none;
- a generic OpenID Connect provider: a second Tessera process is the issuer.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from types import SimpleNamespace

import boto3
import jwt
import pytest
import requests
from botocore.config import Config
from jwt import PyJWKClient

from private_postgres import PostgresUnavailable, PrivatePostgres
from tessera_e2e.aws import expect_error, make_client, unsigned_client
from tessera_e2e.flows import (
    confirmed_user,
    jwt_claims,
    make_app_client,
    make_pool,
    sign_in,
    unique,
)
from tessera_e2e.mfa import move_clock
from tessera_e2e.server import free_port, run_tessera

ACCOUNT = "123456789012"
AUTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Auth"
GUEST_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Guest"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Admin"
EDITOR_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Editor"


def assumed(role_arn: str) -> str:
    """The ARN STS's GetCallerIdentity names for credentials of `role_arn` (Cognito's session name)."""
    return role_arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/CognitoIdentityCredentials"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sts():
    """moto's server as the STS-compatible endpoint: its URL, and a caller-identity check."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/moto-api/", timeout=2)
            break
        except requests.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"moto's server did not start: {proc.stderr.read().decode(errors='replace')}")
            time.sleep(0.2)

    def caller(credentials: dict) -> str:
        client = boto3.session.Session().client(
            "sts", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials.get("SecretKey") or credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"])
        return client.get_caller_identity()["Arn"]

    def client():
        return boto3.session.Session().client("sts", endpoint_url=url, region_name="us-east-1",
                                              aws_access_key_id="x", aws_secret_access_key="y")

    yield SimpleNamespace(url=url, caller=caller, client=client)
    proc.terminate()
    proc.wait(timeout=10)


def sts_env(sts) -> dict:
    return {"TESSERA_IDENTITY_CREDENTIALS": "sts", "TESSERA_IDENTITY_STS_ENDPOINT": sts.url}


@pytest.fixture(scope="module")
def id_server(tessera_bin, tmp_path_factory, sts):
    """A server whose identity pools get credentials from moto, with the test clock on."""
    from tessera_e2e.server import TesseraServer

    srv = TesseraServer(tessera_bin, tmp_path_factory.mktemp("idsrv"),
                        env={**sts_env(sts), "TESSERA_TEST_CLOCK": "true"})
    srv.start()
    yield srv
    srv.stop()


def clients(server):
    cognito = make_client(server)
    identity = make_client(server, "cognito-identity")
    public = unsigned_client(server, service="cognito-identity")
    return cognito, identity, public


def provider_name(pool_id: str) -> str:
    return f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"


def user_pool_setup(cognito, users=("alice",)):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    for name in users:
        confirmed_user(cognito, pool_id, name)
    return pool_id, client_id


def identity_pool(identity, pool_id, client_id, *, guests=True, check=False, **extra):
    pool = identity.create_identity_pool(
        IdentityPoolName=unique("ip").replace("-", "_"),
        AllowUnauthenticatedIdentities=guests,
        CognitoIdentityProviders=[{"ProviderName": provider_name(pool_id), "ClientId": client_id,
                                   "ServerSideTokenCheck": check}],
        **extra)
    identity.set_identity_pool_roles(IdentityPoolId=pool["IdentityPoolId"],
                                     Roles={"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE})
    return pool["IdentityPoolId"]


def id_token(cognito, client_id, username="alice"):
    return sign_in(cognito, client_id, username)["IdToken"]


# ---------------------------------------------------------------- management


def test_identity_pool_lifecycle(id_server):
    _, identity, _ = clients(id_server)
    created = identity.create_identity_pool(
        IdentityPoolName="My_App pool", AllowUnauthenticatedIdentities=False,
        SupportedLoginProviders={"accounts.google.com": "123.apps.googleusercontent.com"},
        DeveloperProviderName="login.example.app",
        IdentityPoolTags={"team": "auth"})
    pool_id = created["IdentityPoolId"]
    assert pool_id.startswith("us-east-1:") and len(pool_id) == len("us-east-1:") + 36
    assert created["IdentityPoolName"] == "My_App pool"
    assert created["AllowClassicFlow"] is False
    assert created["DeveloperProviderName"] == "login.example.app"
    assert created["IdentityPoolTags"] == {"team": "auth"}

    described = identity.describe_identity_pool(IdentityPoolId=pool_id)
    described.pop("ResponseMetadata")
    created.pop("ResponseMetadata")
    assert described == created

    updated = identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="Renamed",
                                            AllowUnauthenticatedIdentities=True, AllowClassicFlow=True)
    assert updated["IdentityPoolName"] == "Renamed" and updated["AllowUnauthenticatedIdentities"] is True
    # A full replacement, as in Cognito: members left out are emptied.
    assert updated.get("SupportedLoginProviders", {}) == {}
    # The developer provider name stays once set.
    assert updated["DeveloperProviderName"] == "login.example.app"
    with expect_error("InvalidParameterException", contains=["DeveloperProviderName"]):
        identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="Renamed",
                                      AllowUnauthenticatedIdentities=True, DeveloperProviderName="other.name")

    arn = f"arn:aws:cognito-identity:us-east-1:000000000000:identitypool/{pool_id}"
    identity.tag_resource(ResourceArn=arn, Tags={"env": "test"})
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "auth", "env": "test"}
    identity.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}

    listed = []
    kwargs = {"MaxResults": 1}
    while True:
        page = identity.list_identity_pools(**kwargs)
        assert len(page["IdentityPools"]) <= 1
        listed += page["IdentityPools"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert {"IdentityPoolId": pool_id, "IdentityPoolName": "Renamed"} in listed

    identity.delete_identity_pool(IdentityPoolId=pool_id)
    with expect_error("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found."):
        identity.describe_identity_pool(IdentityPoolId=pool_id)


def test_model_validation_and_unsigned_management_calls(id_server):
    _, _, public = clients(id_server)
    lax = make_client(id_server, "cognito-identity", config=Config(parameter_validation=False))
    with expect_error("InvalidParameterException"):
        lax.create_identity_pool(IdentityPoolName="bad/name!", AllowUnauthenticatedIdentities=True)
    with expect_error("InvalidParameterException"):
        lax.list_identity_pools(MaxResults=61)
    with expect_error("MissingAuthenticationTokenException"):
        public.create_identity_pool(IdentityPoolName="x", AllowUnauthenticatedIdentities=True)
    with expect_error("MissingAuthenticationTokenException"):
        public.list_identity_pools(MaxResults=5)
    with expect_error("ResourceNotFoundException"):
        public.get_id(IdentityPoolId="us-east-1:00000000-0000-0000-0000-000000000000")


def test_role_mappings_are_checked_and_described(id_server):
    cognito, identity, _ = clients(id_server)
    pool_id, client_id = user_pool_setup(cognito, users=())
    ip = identity_pool(identity, pool_id, client_id)
    key = f"{provider_name(pool_id)}:{client_id}"
    mappings = {key: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                      "RulesConfiguration": {"Rules": [
                          {"Claim": "cognito:groups", "MatchType": "Contains", "Value": "admins",
                           "RoleARN": ADMIN_ROLE}]}}}
    identity.set_identity_pool_roles(IdentityPoolId=ip, Roles={"authenticated": AUTH_ROLE},
                                     RoleMappings=mappings)
    roles = identity.get_identity_pool_roles(IdentityPoolId=ip)
    assert roles["Roles"] == {"authenticated": AUTH_ROLE}
    assert roles["RoleMappings"] == mappings
    with expect_error("InvalidParameterException", contains=["not an identity provider"]):
        identity.set_identity_pool_roles(IdentityPoolId=ip, Roles={}, RoleMappings={
            f"{provider_name(pool_id)}:otherclient": {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    with expect_error("InvalidParameterException", contains=["RulesConfiguration"]):
        identity.set_identity_pool_roles(IdentityPoolId=ip, Roles={}, RoleMappings={
            key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny"}})

    identity.set_principal_tag_attribute_map(IdentityPoolId=ip, IdentityProviderName=provider_name(pool_id),
                                             UseDefaults=False, PrincipalTags={"dept": "custom:dept"})
    got = identity.get_principal_tag_attribute_map(IdentityPoolId=ip, IdentityProviderName=provider_name(pool_id))
    assert got["PrincipalTags"] == {"dept": "custom:dept"} and got["UseDefaults"] is False


# ---------------------------------------------------------------- identities and credentials


def test_guest_identity_gets_the_unauthenticated_role(id_server, sts):
    cognito, identity, public = clients(id_server)
    pool_id, client_id = user_pool_setup(cognito, users=())
    ip = identity_pool(identity, pool_id, client_id)
    guest = public.get_id(IdentityPoolId=ip)["IdentityId"]
    assert guest.startswith("us-east-1:")
    answer = public.get_credentials_for_identity(IdentityId=guest)
    assert answer["IdentityId"] == guest
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SecretKey"] and creds["SessionToken"]
    remaining = creds["Expiration"].timestamp() - time.time()
    assert 3000 < remaining <= 3700, remaining
    assert sts.caller(creds) == assumed(GUEST_ROLE)
    assert identity.describe_identity(IdentityId=guest)["Logins"] == []

    closed = identity_pool(identity, pool_id, client_id, guests=False)
    with expect_error("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool."):
        public.get_id(IdentityPoolId=closed)


def test_user_pool_login_always_gets_the_same_identity(id_server, sts):
    cognito, identity, public = clients(id_server)
    pool_id, client_id = user_pool_setup(cognito, users=("alice", "bob"))
    ip = identity_pool(identity, pool_id, client_id)
    logins = {provider_name(pool_id): id_token(cognito, client_id)}
    first = public.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
    # A new sign-in, and the key Amplify sends (the token's issuer without its scheme).
    token = id_token(cognito, client_id)
    issuer_key = jwt_claims(token)["iss"].split("://", 1)[1]
    assert public.get_id(IdentityPoolId=ip, Logins={issuer_key: token})["IdentityId"] == first
    other = public.get_id(IdentityPoolId=ip, Logins={provider_name(pool_id): id_token(cognito, client_id, "bob")})
    assert other["IdentityId"] != first

    answer = public.get_credentials_for_identity(IdentityId=first, Logins=logins)
    assert answer["IdentityId"] == first
    assert sts.caller(answer["Credentials"]) == assumed(AUTH_ROLE)
    described = identity.describe_identity(IdentityId=first)
    assert described["Logins"] == [provider_name(pool_id)]
    # An authenticated identity needs its logins.
    with expect_error("NotAuthorizedException", contains=["Logins don't match"]):
        public.get_credentials_for_identity(IdentityId=first)

    ids = [i["IdentityId"] for i in identity.list_identities(IdentityPoolId=ip, MaxResults=60)["Identities"]]
    assert first in ids and other["IdentityId"] in ids
    identity.delete_identities(IdentityIdsToDelete=[other["IdentityId"]])
    with expect_error("ResourceNotFoundException"):
        identity.describe_identity(IdentityId=other["IdentityId"])


def test_guest_becomes_authenticated_when_it_logs_in(id_server, sts):
    cognito, identity, public = clients(id_server)
    pool_id, client_id = user_pool_setup(cognito)
    ip = identity_pool(identity, pool_id, client_id)
    guest = public.get_id(IdentityPoolId=ip)["IdentityId"]
    logins = {provider_name(pool_id): id_token(cognito, client_id)}
    answer = public.get_credentials_for_identity(IdentityId=guest, Logins=logins)
    assert answer["IdentityId"] == guest
    assert sts.caller(answer["Credentials"]) == assumed(AUTH_ROLE)
    assert public.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"] == guest
    # A second guest logging in as the same user is given the identity the login has.
    later = public.get_id(IdentityPoolId=ip)["IdentityId"]
    assert public.get_credentials_for_identity(IdentityId=later, Logins=logins)["IdentityId"] == guest

    # Unlinking its last login makes the identity inaccessible: no one else can log in as it.
    public.unlink_identity(IdentityId=guest, Logins=logins, LoginsToRemove=[provider_name(pool_id)])
    with expect_error("ResourceNotFoundException"):
        identity.describe_identity(IdentityId=guest)
    confirmed_user(cognito, pool_id, "mallory")
    with expect_error("ResourceNotFoundException"):
        public.get_credentials_for_identity(
            IdentityId=guest, Logins={provider_name(pool_id): id_token(cognito, client_id, "mallory")})
    # The user's next login gets a new identity.
    assert public.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"] not in (guest, later)


def test_role_mapping_by_rules_and_by_token(id_server, sts):
    cognito, identity, public = clients(id_server)
    pool_id, client_id = user_pool_setup(cognito, users=("alice", "bob", "carol"))
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    cognito.create_group(UserPoolId=pool_id, GroupName="editors", RoleArn=EDITOR_ROLE, Precedence=1)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="carol", GroupName="editors")
    key = f"{provider_name(pool_id)}:{client_id}"

    def credentials_of(user, ip, **extra):
        logins = {provider_name(pool_id): id_token(cognito, client_id, user)}
        identity_id = public.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
        return public.get_credentials_for_identity(IdentityId=identity_id, Logins=logins, **extra)["Credentials"]

    rules = identity_pool(identity, pool_id, client_id)
    identity.set_identity_pool_roles(IdentityPoolId=rules, Roles={"authenticated": AUTH_ROLE}, RoleMappings={
        key: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole", "RulesConfiguration": {"Rules": [
            {"Claim": "cognito:groups", "MatchType": "Contains", "Value": "admins", "RoleARN": ADMIN_ROLE}]}}})
    assert sts.caller(credentials_of("alice", rules)) == assumed(ADMIN_ROLE)
    assert sts.caller(credentials_of("bob", rules)) == assumed(AUTH_ROLE)

    token = identity_pool(identity, pool_id, client_id)
    identity.set_identity_pool_roles(IdentityPoolId=token, Roles={"authenticated": AUTH_ROLE}, RoleMappings={
        key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    assert sts.caller(credentials_of("carol", token)) == assumed(EDITOR_ROLE)
    assert sts.caller(credentials_of("carol", token, CustomRoleArn=EDITOR_ROLE)) == assumed(EDITOR_ROLE)
    with expect_error("NotAuthorizedException"):
        credentials_of("carol", token, CustomRoleArn=ADMIN_ROLE)
    # bob's token has no preferred role: Deny refuses.
    with expect_error("NotAuthorizedException", f"The ambiguous role mapping rules for: {key} denied this request."):
        credentials_of("bob", token)


def test_basic_flow_token_verifies_and_is_accepted_by_sts(id_server, sts):
    cognito, identity, public = clients(id_server)
    pool_id, client_id = user_pool_setup(cognito)
    ip = identity_pool(identity, pool_id, client_id, AllowClassicFlow=True)
    logins = {provider_name(pool_id): id_token(cognito, client_id)}
    identity_id = public.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
    answer = public.get_open_id_token(IdentityId=identity_id, Logins=logins)
    assert answer["IdentityId"] == identity_id

    issuer = f"{id_server.url}/cognito-identity"
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == issuer
    key = PyJWKClient(discovery["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(answer["Token"])
    claims = jwt.decode(answer["Token"], key.key, algorithms=["RS256"], audience=ip, issuer=issuer,
                        options={"require": ["exp", "iat", "iss", "sub", "aud"]})
    assert claims["sub"] == identity_id
    assert claims["amr"][0] == "authenticated" and provider_name(pool_id) in claims["amr"]
    assert 550 <= claims["exp"] - claims["iat"] <= 600

    assert "https://aws.amazon.com/tags" not in claims
    creds = sts.client().assume_role_with_web_identity(
        RoleArn=AUTH_ROLE, RoleSessionName="CognitoIdentityCredentials", WebIdentityToken=answer["Token"])
    assert sts.caller(creds["Credentials"]) == assumed(AUTH_ROLE)

    # Principal tags: the default map (client <- aud, username <- sub) and one of our own.
    identity.set_principal_tag_attribute_map(IdentityPoolId=ip, IdentityProviderName=provider_name(pool_id),
                                             UseDefaults=True, PrincipalTags={"name": "cognito:username"})
    token = id_token(cognito, client_id)
    tagged = jwt_claims(public.get_open_id_token(IdentityId=identity_id,
                                                 Logins={provider_name(pool_id): token})["Token"])
    user = jwt_claims(token)
    assert tagged["https://aws.amazon.com/tags"]["principal_tags"] == {
        "client": [client_id], "username": [user["sub"]], "name": ["alice"]}

    # A guest's OpenID token is no developer login: it cannot buy the authenticated role.
    guest = public.get_id(IdentityPoolId=ip)["IdentityId"]
    guest_token = public.get_open_id_token(IdentityId=guest)["Token"]
    assert jwt_claims(guest_token)["amr"] == ["unauthenticated"]
    with expect_error("NotAuthorizedException", contains=["Invalid login token"]):
        public.get_credentials_for_identity(IdentityId=guest, Logins={"cognito-identity.amazonaws.com": guest_token})

    enhanced_only = identity_pool(identity, pool_id, client_id)
    other = public.get_id(IdentityPoolId=enhanced_only, Logins=logins)["IdentityId"]
    with expect_error("InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow."):
        public.get_open_id_token(IdentityId=other, Logins=logins)


def test_developer_identities(id_server, sts):
    cognito, identity, public = clients(id_server)
    pool_id, client_id = user_pool_setup(cognito)
    ip = identity.create_identity_pool(
        IdentityPoolName="devs", AllowUnauthenticatedIdentities=False, AllowClassicFlow=True,
        DeveloperProviderName="login.example.app",
        CognitoIdentityProviders=[{"ProviderName": provider_name(pool_id), "ClientId": client_id}])["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=ip, Roles={"authenticated": AUTH_ROLE})
    first = identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=ip, Logins={"login.example.app": "user-1"}, TokenDuration=3600,
        PrincipalTags={"dept": "eng"})
    claims = jwt_claims(first["Token"])
    assert claims["sub"] == first["IdentityId"] and claims["aud"] == ip
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["https://aws.amazon.com/tags"]["principal_tags"] == {"dept": ["eng"]}
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=ip, Logins={"login.example.app": "user-1"})
    assert again["IdentityId"] == first["IdentityId"]

    # The developer token is a login of the enhanced flow.
    creds = public.get_credentials_for_identity(IdentityId=first["IdentityId"],
                                                Logins={"cognito-identity.amazonaws.com": first["Token"]})
    assert sts.caller(creds["Credentials"]) == assumed(AUTH_ROLE)
    # ... and of the basic flow, whose token says what the developer's said.
    basic = public.get_open_id_token(IdentityId=first["IdentityId"],
                                     Logins={"cognito-identity.amazonaws.com": first["Token"]})
    assert jwt_claims(basic["Token"])["amr"] == ["authenticated", "login.example.app",
                                                 f"login.example.app:{ip}:user-1"]
    # The backend links another login to the developer user's identity.
    linked = identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=ip, Logins={"login.example.app": "user-1", provider_name(pool_id): id_token(cognito, client_id)})
    assert linked["IdentityId"] == first["IdentityId"]
    assert identity.describe_identity(IdentityId=first["IdentityId"])["Logins"] == sorted(
        [provider_name(pool_id), "login.example.app"])
    assert public.get_id(IdentityPoolId=ip, Logins={provider_name(pool_id): id_token(cognito, client_id)}
                         )["IdentityId"] == first["IdentityId"]

    second = identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=ip, Logins={"login.example.app": "user-2"})["IdentityId"]
    looked = identity.lookup_developer_identity(IdentityPoolId=ip, DeveloperUserIdentifier="user-1")
    assert looked["IdentityId"] == first["IdentityId"]
    assert looked["DeveloperUserIdentifierList"] == ["user-1"]
    merged = identity.merge_developer_identities(SourceUserIdentifier="user-2", DestinationUserIdentifier="user-1",
                                                 DeveloperProviderName="login.example.app", IdentityPoolId=ip)
    assert merged["IdentityId"] == first["IdentityId"]
    looked = identity.lookup_developer_identity(IdentityPoolId=ip, IdentityId=first["IdentityId"])
    assert looked["DeveloperUserIdentifierList"] == ["user-1", "user-2"]
    with expect_error("ResourceNotFoundException"):
        identity.describe_identity(IdentityId=second)
    with expect_error("DeveloperUserAlreadyRegisteredException"):
        identity.get_open_id_token_for_developer_identity(
            IdentityPoolId=ip, IdentityId=identity.get_open_id_token_for_developer_identity(
                IdentityPoolId=ip, Logins={"login.example.app": "user-3"})["IdentityId"],
            Logins={"login.example.app": "user-1"})

    identity.unlink_developer_identity(IdentityId=first["IdentityId"], IdentityPoolId=ip,
                                       DeveloperProviderName="login.example.app", DeveloperUserIdentifier="user-2")
    looked = identity.lookup_developer_identity(IdentityPoolId=ip, IdentityId=first["IdentityId"])
    assert looked["DeveloperUserIdentifierList"] == ["user-1"]
    # A developer call is signed.
    with expect_error("MissingAuthenticationTokenException"):
        public.get_open_id_token_for_developer_identity(IdentityPoolId=ip, Logins={"login.example.app": "user-1"})


# ---------------------------------------------------------------- refused logins


def test_refused_logins(id_server):
    cognito, identity, public = clients(id_server)
    pool_id, client_id = user_pool_setup(cognito)
    ip = identity_pool(identity, pool_id, client_id, check=True)
    key = provider_name(pool_id)
    token = id_token(cognito, client_id)

    head, body, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with expect_error("NotAuthorizedException", contains=["Invalid login token"]):
        public.get_id(IdentityPoolId=ip, Logins={key: f"{head}.{body}.{flipped}"})
    forged = {**jwt_claims(token), "sub": "00000000-0000-0000-0000-000000000000"}
    forged_body = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    with expect_error("NotAuthorizedException", contains=["Invalid login token"]):
        public.get_id(IdentityPoolId=ip, Logins={key: f"{head}.{forged_body}.{signature}"})

    # An access token in place of the ID token.
    with expect_error("NotAuthorizedException", "Invalid login token. Missing a required claim: aud"):
        public.get_id(IdentityPoolId=ip, Logins={key: sign_in(cognito, client_id, "alice")["AccessToken"]})

    # Another client of the same pool: not this identity pool's audience.
    other_client = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("NotAuthorizedException", "Invalid login token. Incorrect token audience."):
        public.get_id(IdentityPoolId=ip, Logins={key: id_token(cognito, other_client)})

    # A user pool the identity pool does not name.
    other_pool, other_pool_client = user_pool_setup(cognito)
    with expect_error("NotAuthorizedException", "Token is not from a supported provider of this identity pool."):
        public.get_id(IdentityPoolId=ip, Logins={provider_name(other_pool): id_token(cognito, other_pool_client)})
    # The key must name the pool that issued the token.
    with expect_error("NotAuthorizedException", contains=["Invalid login token"]):
        public.get_id(IdentityPoolId=ip, Logins={key: id_token(cognito, other_pool_client)})

    # Signed out: refused with ServerSideTokenCheck, accepted without.
    signed_out = sign_in(cognito, client_id, "alice")
    cognito.global_sign_out(AccessToken=signed_out["AccessToken"])
    with expect_error("NotAuthorizedException", contains=["Invalid login token"]):
        public.get_id(IdentityPoolId=ip, Logins={key: signed_out["IdToken"]})
    unchecked = identity_pool(identity, pool_id, client_id, check=False)
    assert public.get_id(IdentityPoolId=unchecked, Logins={key: signed_out["IdToken"]})["IdentityId"]

    # Expired: an hour and a minute later by the server's clock.
    fresh = id_token(cognito, client_id)
    move_clock(id_server, 3660)
    try:
        with expect_error("NotAuthorizedException", contains=["Token expired"]):
            public.get_id(IdentityPoolId=unchecked, Logins={key: fresh})
    finally:
        move_clock(id_server, -3660)


def test_no_credential_source_is_a_configuration_error(start_server):
    srv = start_server()
    cognito, identity, public = clients(srv)
    pool_id, client_id = user_pool_setup(cognito, users=())
    ip = identity_pool(identity, pool_id, client_id)
    guest = public.get_id(IdentityPoolId=ip)["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException", contains=["credential source"]):
        public.get_credentials_for_identity(IdentityId=guest)
    no_roles = identity.create_identity_pool(IdentityPoolName="noroles",
                                             AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    guest = public.get_id(IdentityPoolId=no_roles)["IdentityId"]
    with expect_error("InvalidIdentityPoolConfigurationException",
                      "Invalid identity pool configuration. Check assigned IAM roles for this pool."):
        public.get_credentials_for_identity(IdentityId=guest)


def test_local_development_credentials(start_server):
    srv = start_server(env={"TESSERA_IDENTITY_CREDENTIALS": "local"})
    cognito, identity, public = clients(srv)
    pool_id, client_id = user_pool_setup(cognito, users=())
    ip = identity_pool(identity, pool_id, client_id)
    guest = public.get_id(IdentityPoolId=ip)["IdentityId"]
    creds = public.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    assert len(creds["AccessKeyId"]) == 20 and creds["AccessKeyId"].startswith("ASIA")
    assert len(creds["SecretKey"]) == 40 and len(creds["SessionToken"]) > 100
    assert 3500 < creds["Expiration"].timestamp() - time.time() <= 3600
    logs = srv.logs()
    assert "development" in logs.lower() and GUEST_ROLE in logs
    assert creds["SecretKey"] not in logs and creds["SessionToken"] not in logs


def test_a_generic_oidc_provider(start_server, sts):
    upstream = start_server()
    up_cognito = make_client(upstream)
    up_pool, up_client = user_pool_setup(up_cognito)
    token = id_token(up_cognito, up_client)
    issuer = jwt_claims(token)["iss"]
    host = issuer.split("://", 1)[1]
    config = f'[identity_pools]\ncredentials = "sts"\nsts_endpoint = "{sts.url}"\n' \
             f'[identity_pools.oidc_issuers]\n"{host}" = "{issuer}"\n'
    # Without the provider's client ids (IAM's OIDC provider registration) no token is accepted.
    unregistered = start_server(config_toml=config)
    _, identity, public = clients(unregistered)
    ip = identity.create_identity_pool(
        IdentityPoolName="oidc", AllowUnauthenticatedIdentities=False,
        OpenIdConnectProviderARNs=[f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"])["IdentityPoolId"]
    with expect_error("NotAuthorizedException", "Invalid login token. Incorrect token audience."):
        public.get_id(IdentityPoolId=ip, Logins={host: token})

    config += f'[identity_pools.oidc_client_ids]\n"{host}" = ["{up_client}"]\n'
    srv = start_server(config_toml=config)
    _, identity, public = clients(srv)
    ip = identity.create_identity_pool(
        IdentityPoolName="oidc", AllowUnauthenticatedIdentities=False,
        OpenIdConnectProviderARNs=[f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"])["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=ip, Roles={"authenticated": AUTH_ROLE})
    first = public.get_id(IdentityPoolId=ip, Logins={host: token})["IdentityId"]
    assert public.get_id(IdentityPoolId=ip, Logins={host: id_token(up_cognito, up_client)})["IdentityId"] == first
    creds = public.get_credentials_for_identity(IdentityId=first, Logins={host: token})["Credentials"]
    assert sts.caller(creds) == assumed(AUTH_ROLE)
    assert identity.describe_identity(IdentityId=first)["Logins"] == [host]
    head, body, signature = token.split(".")
    with expect_error("NotAuthorizedException", contains=["Invalid login token"]):
        public.get_id(IdentityPoolId=ip, Logins={host: f"{head}.{body}.{signature[::-1]}"})
    # A token of the provider issued to another client.
    other_client = make_app_client(up_cognito, up_pool)["ClientId"]
    with expect_error("NotAuthorizedException", "Invalid login token. Incorrect token audience."):
        public.get_id(IdentityPoolId=ip, Logins={host: id_token(up_cognito, other_client)})


# ---------------------------------------------------------------- two nodes


@pytest.fixture(scope="module")
def shared_db():
    try:
        pg = PrivatePostgres()
        pg.init().start()
    except PostgresUnavailable as e:
        pytest.fail(f"the two-node test needs a private PostgreSQL server: {e}", pytrace=False)
    try:
        yield SimpleNamespace(url=pg.url, kek=base64.b64encode(os.urandom(32)).decode())
    finally:
        pg.destroy()


def identity_kids(server) -> set:
    keys = requests.get(f"{server.url}/cognito-identity/.well-known/jwks_uri", timeout=10).json()["keys"]
    return {k["kid"] for k in keys}


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.3)


def test_same_identity_on_a_second_node(start_server, shared_db, sts, tessera_bin, tmp_path):
    env = {**sts_env(sts), "TESSERA_KEY_ENCRYPTION_KEY": shared_db.kek}
    args = ["--store", shared_db.url, "--public-url", "http://tessera.test"]
    one, two = start_server(env=env, args=args), start_server(env=env, args=args)
    cognito, identity, public_one = clients(one)
    public_two = unsigned_client(two, service="cognito-identity")
    pool_id, client_id = user_pool_setup(cognito)
    ip = identity_pool(identity, pool_id, client_id, check=True)
    logins = {provider_name(pool_id): id_token(cognito, client_id)}
    first = public_one.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
    assert public_two.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"] == first
    creds = public_two.get_credentials_for_identity(IdentityId=first, Logins=logins)["Credentials"]
    assert sts.caller(creds) == assumed(AUTH_ROLE)
    # An OpenID token signed on one node verifies on the other's JWKS.
    developer = make_client(one, "cognito-identity")
    ip2 = developer.create_identity_pool(IdentityPoolName="devs", AllowUnauthenticatedIdentities=False,
                                         DeveloperProviderName="login.example.app")["IdentityPoolId"]
    token = developer.get_open_id_token_for_developer_identity(
        IdentityPoolId=ip2, Logins={"login.example.app": "u1"})["Token"]
    key = PyJWKClient(f"{two.url}/cognito-identity/.well-known/jwks_uri", cache_keys=False).get_signing_key_from_jwt(token)
    jwt.decode(token, key.key, algorithms=["RS256"], audience=ip2, issuer="http://tessera.test/cognito-identity")

    # Rotating the identity service's keys reaches both nodes; old tokens still verify.
    before = identity_kids(two)
    result = run_tessera(tessera_bin, "rotate-signing-keys", "--identity-service", "--store", shared_db.url,
                         "--data-dir", tmp_path / "cli-data",
                         env={"TESSERA_KEY_ENCRYPTION_KEY": shared_db.kek}, timeout=60)
    assert result.returncode == 0 and not result.timed_out, result.output
    after = wait_for(lambda: (k := identity_kids(two)) - before and k, 15, "a new kid on node 2")
    assert before <= after

    def signed_with_new_key():
        fresh = developer.get_open_id_token_for_developer_identity(
            IdentityPoolId=ip2, Logins={"login.example.app": "u1"})["Token"]
        return fresh if jwt.get_unverified_header(fresh)["kid"] not in before else None

    fresh = wait_for(signed_with_new_key, 15, "node 1 to sign with the new key")
    for t in (token, fresh):
        key = PyJWKClient(f"{two.url}/cognito-identity/.well-known/jwks_uri", cache_keys=False).get_signing_key_from_jwt(t)
        jwt.decode(t, key.key, algorithms=["RS256"], audience=ip2, issuer="http://tessera.test/cognito-identity")
