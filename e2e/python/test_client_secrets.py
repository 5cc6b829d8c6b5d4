"""Client secret rotation: AddUserPoolClientSecret, ListUserPoolClientSecrets,
DeleteUserPoolClientSecret, and every secret check accepting any current secret.

Cognito facts used (botocore's cognito-idp model and the API reference pages of the
three operations, https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/):
- "Supports up to 2 active secrets per app client" (AddUserPoolClientSecret); a third is
  LimitExceededException, one of the operation's modelled errors.
- ClientSecret is optional: without it Cognito generates one. "The ClientSecretValue is only
  returned when Amazon Cognito generates the secret. For custom secrets that you provide,
  the ClientSecretValue is not included in the response." A custom secret is 24-64
  characters of [\\w+]+.
- ClientSecretId "follows the format <client-id>--<epoch-create-time>".
- ListUserPoolClientSecrets returns every secret in one answer, with no NextToken, and
  "never reveals the actual secret value in ClientSecretValue".
- DeleteUserPoolClientSecret: "You cannot delete the last remaining secret for an app client."
- DescribeUserPoolClient keeps showing the secret the client was created with; an added
  secret does not replace it, and once the original is deleted ClientSecret is absent
  (observed against Cognito, https://github.com/floci-io/floci/pull/345).
Tessera's own choices where Cognito's texts are not documented: the error messages, an
unknown secret id being ResourceNotFoundException, the last secret being
InvalidParameterException, and a public client (no secret) refusing a first secret with
InvalidParameterException ("for an existing confidential user pool app client").
"""

import re
import urllib.parse

import pytest
import requests
from botocore.exceptions import ClientError

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import AUTH_PASSWORD, confirmed_user, make_app_client, make_pool, password_auth, unique
from tessera_e2e.hosted import Browser, callback_params, domain_url, resolve_localhost_subdomains

CUSTOM = "Custom_secret_for_rotation_0123456789"
CALLBACK = "https://app.example.com/callback"


@pytest.fixture(scope="module", autouse=True)
def _localhost_names():
    resolve_localhost_subdomains()


@pytest.fixture
def confidential(cognito):
    pool_id = make_pool(cognito)
    client = make_app_client(cognito, pool_id, secret=True)
    yield pool_id, client["ClientId"], client["ClientSecret"]
    cognito.delete_user_pool(UserPoolId=pool_id)


def secret_ids(cognito, pool_id, client_id):
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
    assert "NextToken" not in listed
    for descriptor in listed["ClientSecrets"]:
        assert "ClientSecretValue" not in descriptor
    return [d["ClientSecretId"] for d in listed["ClientSecrets"]]


def test_a_new_client_lists_its_one_secret(cognito, confidential):
    pool_id, client_id, _ = confidential
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"]
    assert len(listed) == 1
    assert re.fullmatch(rf"{client_id}--\d+", listed[0]["ClientSecretId"])
    assert "ClientSecretCreateDate" in listed[0] and "ClientSecretValue" not in listed[0]


def test_add_generates_a_secret_and_shows_it_once(cognito, confidential):
    pool_id, client_id, original = confidential
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)["ClientSecretDescriptor"]
    value = added["ClientSecretValue"]
    assert value != original and re.fullmatch(r"[\w+]{24,64}", value)
    assert re.fullmatch(rf"{client_id}--\d+", added["ClientSecretId"])
    ids = secret_ids(cognito, pool_id, client_id)
    assert len(ids) == 2 and ids[1] == added["ClientSecretId"]
    # Describe keeps showing the secret the client was made with.
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == original


def test_a_custom_secret_is_not_returned(cognito, confidential):
    pool_id, client_id, _ = confidential
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id,
                                                ClientSecret=CUSTOM)["ClientSecretDescriptor"]
    assert "ClientSecretValue" not in added
    assert added["ClientSecretId"] in secret_ids(cognito, pool_id, client_id)


def test_add_refusals(cognito, lax, confidential):
    pool_id, client_id, _ = confidential
    # boto3 checks lengths itself; the lax client lets the server see the bad value.
    for bad in ("too-short", "has spaces but is long enough!!"):
        with expect_error("InvalidParameterException", contains="ClientSecret"):
            lax.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecret=bad)
    with expect_error("ResourceNotFoundException"):
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId="nosuchclient")
    public = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("InvalidParameterException"):
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=public)
    assert secret_ids(cognito, pool_id, public) == []
    cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    with expect_error("LimitExceededException"):
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    assert len(secret_ids(cognito, pool_id, client_id)) == 2


def test_list_and_delete_refusals(cognito, confidential):
    pool_id, client_id, _ = confidential
    with expect_error("ResourceNotFoundException"):
        cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId="nosuchclient")
    with expect_error("ResourceNotFoundException"):
        cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id,
                                               ClientSecretId=f"{client_id}--1")
    [only] = secret_ids(cognito, pool_id, client_id)
    with expect_error("InvalidParameterException", contains="last"):
        cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecretId=only)
    assert secret_ids(cognito, pool_id, client_id) == [only]


def test_deleting_the_original_hides_it_from_describe(cognito, confidential):
    pool_id, client_id, _ = confidential
    [original] = secret_ids(cognito, pool_id, client_id)
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)["ClientSecretDescriptor"]
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecretId=original)
    assert secret_ids(cognito, pool_id, client_id) == [added["ClientSecretId"]]
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert "ClientSecret" not in described


def signs_in(cognito, client_id, username, secret) -> bool:
    try:
        return "AuthenticationResult" in password_auth(cognito, client_id, username, AUTH_PASSWORD,
                                                       client_secret=secret)
    except ClientError as e:
        assert e.response["Error"]["Code"] == "NotAuthorizedException", e.response
        assert "secret hash" in e.response["Error"]["Message"]
        return False


def test_secret_hash_accepts_either_secret_until_the_old_one_is_deleted(cognito, confidential):
    pool_id, client_id, old = confidential
    username = unique("rotor")
    confirmed_user(cognito, pool_id, username)
    new = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)["ClientSecretDescriptor"]
    assert signs_in(cognito, client_id, username, old)
    assert signs_in(cognito, client_id, username, new["ClientSecretValue"])
    assert not signs_in(cognito, client_id, username, "not-the-secret-at-all-000")

    old_id = next(i for i in secret_ids(cognito, pool_id, client_id) if i != new["ClientSecretId"])
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecretId=old_id)
    assert not signs_in(cognito, client_id, username, old)
    assert signs_in(cognito, client_id, username, new["ClientSecretValue"])


def test_revoke_token_accepts_either_secret_until_the_old_one_is_deleted(cognito, confidential):
    pool_id, client_id, old = confidential
    username = unique("revoker")
    confirmed_user(cognito, pool_id, username)
    cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecret=CUSTOM)

    def session():
        return password_auth(cognito, client_id, username, AUTH_PASSWORD, client_secret=CUSTOM)["AuthenticationResult"]

    for secret in (old, CUSTOM):
        cognito.revoke_token(Token=session()["RefreshToken"], ClientId=client_id, ClientSecret=secret)
    old_id = secret_ids(cognito, pool_id, client_id)[0]  # listed oldest first
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecretId=old_id)
    tokens = session()
    with pytest.raises(ClientError):
        cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id, ClientSecret=old)
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == username
    cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id, ClientSecret=CUSTOM)


def test_a_custom_secret_works_for_secret_hash(cognito, confidential):
    pool_id, client_id, _ = confidential
    username = unique("custom")
    confirmed_user(cognito, pool_id, username)
    cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecret=CUSTOM)
    assert signs_in(cognito, client_id, username, CUSTOM)


def test_token_endpoint_accepts_either_secret_until_the_old_one_is_deleted(server, cognito):
    pool_id = make_pool(cognito)
    prefix = unique("rotate").lower()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "read orders"}])
    machine = make_app_client(cognito, pool_id, secret=True, AllowedOAuthFlowsUserPoolClient=True,
                              AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read"])
    client_id, old = machine["ClientId"], machine["ClientSecret"]
    base = domain_url(server, prefix)

    def token(secret):
        return requests.post(f"{base}/oauth2/token", data={"grant_type": "client_credentials"},
                             auth=(client_id, secret), timeout=10)

    new = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id,
                                              ClientSecret=CUSTOM)["ClientSecretDescriptor"]
    for secret in (old, CUSTOM):
        response = token(secret)
        assert response.status_code == 200, response.text
        assert response.json()["access_token"]
    assert token("not-the-secret").json()["error"] == "invalid_client"

    old_id = next(i for i in secret_ids(cognito, pool_id, client_id) if i != new["ClientSecretId"])
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecretId=old_id)
    refused = token(old)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert token(CUSTOM).status_code == 200
    cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    cognito.delete_user_pool(UserPoolId=pool_id)


def test_the_hosted_pages_and_code_grant_work_after_the_original_secret_is_deleted(server, cognito):
    """The sign-in page signs in for the client with whichever secret it has now."""
    pool_id = make_pool(cognito)
    prefix = unique("rotpage").lower()
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    base = domain_url(server, prefix)
    web = make_app_client(cognito, pool_id, secret=True, AllowedOAuthFlowsUserPoolClient=True,
                          AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
                          CallbackURLs=[CALLBACK], SupportedIdentityProviders=["COGNITO"])
    client_id = web["ClientId"]
    username = unique("pager")
    confirmed_user(cognito, pool_id, username)
    cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecret=CUSTOM)
    original = secret_ids(cognito, pool_id, client_id)[0]
    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecretId=original)

    browser = Browser()
    url = f"{base}/oauth2/authorize?" + urllib.parse.urlencode(
        {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK, "scope": "openid", "state": "s"})
    page = browser.follow(browser.get(url), stop_at=CALLBACK)
    assert page.status_code == 200, page.text[:500]
    done = browser.follow(browser.submit(page, {"username": username, "password": AUTH_PASSWORD}), stop_at=CALLBACK)
    assert done.status_code == 302 and done.headers["Location"].startswith(CALLBACK), done.text[:500]
    code = callback_params(done)["code"]
    redeemed = requests.post(f"{base}/oauth2/token", auth=(client_id, web["ClientSecret"]), timeout=10,
                             data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK})
    assert redeemed.status_code == 401 and redeemed.json()["error"] == "invalid_client"
    redeemed = requests.post(f"{base}/oauth2/token", auth=(client_id, CUSTOM), timeout=10,
                             data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK})
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["id_token"]
