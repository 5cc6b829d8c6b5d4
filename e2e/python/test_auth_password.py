"""Password flows and NEW_PASSWORD_REQUIRED (issue 3, Build 3).

USER_PASSWORD_AUTH (InitiateAuth), ADMIN_USER_PASSWORD_AUTH and its legacy alias
ADMIN_NO_SRP_AUTH (AdminInitiateAuth, signed), the client's ExplicitAuthFlows, and the
NEW_PASSWORD_REQUIRED challenge after AdminCreateUser, through boto3 and through pycognito.

Cognito facts used here:
- A flow the client does not enable: InvalidParameterException
  "USER_PASSWORD_AUTH flow not enabled for this client" (live output quoted in many projects,
  e.g. a Lambda log in a public repo; admin/SRP flows answer "Auth flow not enabled for this
  client").
- NEW_PASSWORD_REQUIRED parameters: `userAttributes` is a JSON string of the current attributes,
  `requiredAttributes` a JSON string array of "userAttributes."-prefixed names (live response
  quoted in amazon-cognito-identity-js#180, aws-sdk-js#1290).
"""

import json

import pytest
from botocore.exceptions import ClientError
from pycognito.exceptions import ForceChangePasswordException

from tessera_e2e.aws import expect_error, make_client, raw_call
from tessera_e2e.flows import (
    AUTH_NEW_PASSWORD,
    AUTH_PASSWORD,
    WRONG_PASSWORD,
    assert_tokens,
    attr_dict,
    confirmed_user,
    jwt_claims,
    make_app_client,
    make_pool,
    make_user,
    password_auth,
    pool_with_user,
    pycognito_user,
    secret_hash,
    sign_in,
    srp_sign_in,
)

TEMP_PASSWORD = "Temp0rary!"


@pytest.fixture
def pw_pool(cognito):
    return pool_with_user(cognito, attributes={"email": "alice@example.com"})


@pytest.fixture
def admin(server):
    return make_client(server)  # signed with SigV4, as AdminInitiateAuth requires


# ---------------------------------------------------------------- USER_PASSWORD_AUTH


def test_user_password_auth(cognito, pw_pool):
    pool_id, client_id = pw_pool
    resp = password_auth(cognito, client_id, "alice", AUTH_PASSWORD)
    assert resp["ChallengeParameters"] == {}
    assert "ChallengeName" not in resp
    assert_tokens(resp["AuthenticationResult"])
    assert jwt_claims(resp["AuthenticationResult"]["AccessToken"])["username"] == "alice"


def test_user_password_auth_wrong_password(cognito, pw_pool):
    _, client_id = pw_pool
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "alice", "Wrong-Passw0rd!")


def test_user_password_auth_with_secret(cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id, secret = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id, "bob")
    assert_tokens(sign_in(cognito, client_id, "bob", client_secret=secret))
    with expect_error("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}"):
        password_auth(cognito, client_id, "bob", AUTH_PASSWORD, client_secret="wrong-secret")
    # Wording drifted over time ("configured for secret but secret was not received", later
    # "configured with secret but SECRET_HASH was not received"); both name the client.
    with expect_error("NotAuthorizedException", contains=f"Client {client_id} is configured"):
        password_auth(cognito, client_id, "bob", AUTH_PASSWORD)


def test_missing_password_parameter(cognito, pw_pool):
    _, client_id = pw_pool
    with expect_error("InvalidParameterException"):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "alice"})


def test_case_insensitive_username(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    canonical = confirmed_user(cognito, pool_id, "Carol")["Username"]
    for typed in ("carol", "CAROL"):
        auth = sign_in(cognito, client_id, typed)
        assert jwt_claims(auth["AccessToken"])["username"] == canonical


def test_email_username_pool(cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client = make_app_client(cognito, pool_id, secret=True)
    sub = confirmed_user(cognito, pool_id, "dora@example.com")["Username"]
    auth = sign_in(cognito, client["ClientId"], "dora@example.com", client_secret=client["ClientSecret"])
    assert jwt_claims(auth["IdToken"])["cognito:username"] == sub


def test_verified_email_alias(cognito):
    pool_id = make_pool(cognito, AliasAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "erin", attributes={"email": "erin@example.com", "email_verified": "true"})
    auth = sign_in(cognito, client_id, "erin@example.com")
    assert jwt_claims(auth["AccessToken"])["username"] == "erin"


def test_admin_flow_name_refused_by_initiate_auth(cognito, pw_pool):
    _, client_id = pw_pool
    # ADMIN_USER_PASSWORD_AUTH is an AdminInitiateAuth flow; InitiateAuth refuses it
    # ("Initiate Auth method not supported.", InvalidParameterException; soto-project/
    # soto-cognito-authentication-kit#10 quotes the live answer).
    with expect_error("InvalidParameterException"):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "alice", "PASSWORD": AUTH_PASSWORD})


# ---------------------------------------------------------------- AdminInitiateAuth


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_password_flows(admin, pw_pool, flow):
    pool_id, client_id = pw_pool
    resp = admin.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow=flow,
                                     AuthParameters={"USERNAME": "alice", "PASSWORD": AUTH_PASSWORD})
    assert resp["ChallengeParameters"] == {}
    assert_tokens(resp["AuthenticationResult"])
    assert jwt_claims(resp["AuthenticationResult"]["IdToken"])["cognito:username"] == "alice"


def test_admin_flow_wrong_password(admin, pw_pool):
    pool_id, client_id = pw_pool
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        admin.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "alice", "PASSWORD": "Wrong-Passw0rd!"})


def test_admin_flow_with_secret(admin, cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    client_id = client["ClientId"]
    confirmed_user(cognito, pool_id, "fred")
    resp = admin.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "fred", "PASSWORD": AUTH_PASSWORD,
                        "SECRET_HASH": secret_hash("fred", client_id, client["ClientSecret"])})
    assert_tokens(resp["AuthenticationResult"])
    # Live AdminInitiateAuth output quoted in ganezasan/serverless-cognito-auth#1.
    with expect_error("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}"):
        admin.admin_initiate_auth(
            UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_NO_SRP_AUTH",
            AuthParameters={"USERNAME": "fred", "PASSWORD": AUTH_PASSWORD,
                            "SECRET_HASH": secret_hash("fred", client_id, "wrong")})


def test_admin_initiate_auth_requires_signature(cognito, server, pw_pool):
    pool_id, client_id = pw_pool
    resp = raw_call(server, "AdminInitiateAuth", {
        "UserPoolId": pool_id, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice", "PASSWORD": AUTH_PASSWORD}}, sign=False)
    assert 400 <= resp.status_code < 500, resp.text
    assert "AuthenticationResult" not in resp.text


def test_pycognito_admin_authenticate(server, pw_pool):
    pool_id, client_id = pw_pool
    u = pycognito_user(server, pool_id, client_id, "alice")
    u.admin_authenticate(password=AUTH_PASSWORD)  # ADMIN_NO_SRP_AUTH, then verifies the tokens
    assert u.access_claims["username"] == "alice"


# ---------------------------------------------------------------- ExplicitAuthFlows


def test_password_flow_not_enabled(cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    confirmed_user(cognito, pool_id, "gus")
    with expect_error("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"):
        password_auth(cognito, client_id, "gus", AUTH_PASSWORD)


def test_admin_flow_not_enabled(admin, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    confirmed_user(cognito, pool_id, "hal")
    for flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
        with expect_error("InvalidParameterException", contains="flow not enabled for this client"):
            admin.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow=flow,
                                      AuthParameters={"USERNAME": "hal", "PASSWORD": AUTH_PASSWORD})


def test_srp_flow_not_enabled(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    confirmed_user(cognito, pool_id, "ida")
    # "USER_SRP_AUTH is not enabled for the client." (aws-samples/aws-serverless-workshops#277)
    with expect_error("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client."):
        srp_sign_in(server, pool_id, client_id, "ida")
    assert_tokens(sign_in(cognito, client_id, "ida"))


def test_legacy_flow_names_enable_their_flows(admin, cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, flows=["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])["ClientId"]
    confirmed_user(cognito, pool_id, "jon")
    assert_tokens(sign_in(cognito, client_id, "jon"))
    resp = admin.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "jon", "PASSWORD": AUTH_PASSWORD})
    assert_tokens(resp["AuthenticationResult"])


def test_flow_check_does_not_reveal_users(cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    # Unknown user: the disabled flow is refused before any user lookup.
    with expect_error("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"):
        password_auth(cognito, client_id, "nobody", AUTH_PASSWORD)


# ---------------------------------------------------------------- NEW_PASSWORD_REQUIRED


@pytest.fixture
def invited(cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "kate", {"email": "kate@example.com", "email_verified": "true"},
              password=TEMP_PASSWORD)
    return pool_id, client_id


def test_new_password_required_challenge(cognito, invited):
    pool_id, client_id = invited
    resp = password_auth(cognito, client_id, "kate", TEMP_PASSWORD)
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert "AuthenticationResult" not in resp
    assert isinstance(resp["Session"], str) and len(resp["Session"]) >= 20
    params = resp["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "kate"
    # Both are JSON *strings* (amazon-cognito-identity-js parses them with JSON.parse).
    user_attributes = json.loads(params["userAttributes"])
    assert user_attributes["email"] == "kate@example.com"
    assert user_attributes["email_verified"] == "true"
    # Live CLI outputs (e.g. the AWS samples' README, public walkthroughs) list the attributes
    # without `sub`.
    assert "sub" not in user_attributes
    # No required attribute is missing in this pool: "[]".
    assert json.loads(params["requiredAttributes"]) == []


def test_new_password_required_wrong_temporary_password(cognito, invited):
    _, client_id = invited
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "kate", "Not-The-Temp0!")


def test_respond_new_password_with_attribute(cognito, invited):
    pool_id, client_id = invited
    resp = password_auth(cognito, client_id, "kate", TEMP_PASSWORD)
    result = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=resp["Session"],
        ChallengeResponses={"USERNAME": "kate", "NEW_PASSWORD": AUTH_NEW_PASSWORD,
                            "userAttributes.given_name": "Kate"})
    auth = result["AuthenticationResult"]
    assert_tokens(auth)
    assert jwt_claims(auth["IdToken"])["given_name"] == "Kate"
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="kate")
    assert user["UserStatus"] == "CONFIRMED"
    assert attr_dict(user["UserAttributes"])["given_name"] == "Kate"
    assert_tokens(sign_in(cognito, client_id, "kate", AUTH_NEW_PASSWORD))
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "kate", TEMP_PASSWORD)


def test_respond_new_password_enforces_policy(cognito, invited):
    pool_id, client_id = invited
    resp = password_auth(cognito, client_id, "kate", TEMP_PASSWORD)
    with expect_error("InvalidPasswordException", contains="Password not long enough"):
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=resp["Session"],
            ChallengeResponses={"USERNAME": "kate", "NEW_PASSWORD": "Sh0rt!"})
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="kate")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_respond_new_password_with_tampered_session(cognito, invited):
    pool_id, client_id = invited
    resp = password_auth(cognito, client_id, "kate", TEMP_PASSWORD)
    session = resp["Session"]
    flipped = session[:-5] + ("A" if session[-5] != "A" else "B") + session[-4:]
    with expect_error("NotAuthorizedException"):
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=flipped,
            ChallengeResponses={"USERNAME": "kate", "NEW_PASSWORD": AUTH_NEW_PASSWORD})
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="kate")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_session_is_bound_to_its_user(cognito, invited):
    pool_id, client_id = invited
    make_user(cognito, pool_id, "leo", password=TEMP_PASSWORD)
    resp = password_auth(cognito, client_id, "kate", TEMP_PASSWORD)
    # kate's Session must not set leo's password: either the mismatch is refused, or the
    # Session's own user (kate) is the one answered for.
    try:
        result = cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=resp["Session"],
            ChallengeResponses={"USERNAME": "leo", "NEW_PASSWORD": AUTH_NEW_PASSWORD})
    except ClientError as e:
        assert e.response["Error"]["Code"] in {"NotAuthorizedException", "InvalidParameterException"}
    else:
        assert jwt_claims(result["AuthenticationResult"]["AccessToken"])["username"] == "kate"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="leo")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "leo", AUTH_NEW_PASSWORD)


def test_admin_respond_new_password(admin, cognito, invited):
    pool_id, client_id = invited
    resp = admin.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "kate", "PASSWORD": TEMP_PASSWORD})
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    result = admin.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=resp["Session"],
        ChallengeResponses={"USERNAME": "kate", "NEW_PASSWORD": AUTH_NEW_PASSWORD})
    assert_tokens(result["AuthenticationResult"])
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="kate")["UserStatus"] == "CONFIRMED"


def test_srp_sign_in_of_invited_user_gets_challenge(server, invited):
    pool_id, client_id = invited
    # pycognito raises ForceChangePasswordException on NEW_PASSWORD_REQUIRED after PASSWORD_VERIFIER.
    with pytest.raises(ForceChangePasswordException):
        srp_sign_in(server, pool_id, client_id, "kate", password=TEMP_PASSWORD)


def test_pycognito_new_password_challenge(server, cognito, invited):
    pool_id, client_id = invited
    u = pycognito_user(server, pool_id, client_id, "kate")
    # SRP sign-in with the temporary password, then NEW_PASSWORD_REQUIRED answered with the
    # Session; pycognito also sends its PASSWORD_VERIFIER fields along, which must be ignored.
    u.new_password_challenge(password=TEMP_PASSWORD, new_password=AUTH_NEW_PASSWORD)
    assert u.id_claims["cognito:username"] == "kate"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="kate")["UserStatus"] == "CONFIRMED"
    assert srp_sign_in(server, pool_id, client_id, "kate", password=AUTH_NEW_PASSWORD)["AuthenticationResult"]


def test_admin_set_user_password_temporary_gives_challenge(cognito, pw_pool):
    pool_id, client_id = pw_pool
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=TEMP_PASSWORD, Permanent=False)
    resp = password_auth(cognito, client_id, "alice", TEMP_PASSWORD)
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
