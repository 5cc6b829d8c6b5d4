"""Passkeys (WebAuthn) through boto3: the pool's WebAuthnConfiguration in
SetUserPoolMfaConfig / GetUserPoolMfaConfig, and the refusals of the four
registration operations. The browser ceremonies themselves (a virtual
authenticator registering and signing in) are in e2e/js/test/passkeys.test.mjs.

Cognito facts (service model cognito-idp 2016-04-18, botocore 1.44.8):
- WebAuthnConfiguration {RelyingPartyId (1-127 chars), UserVerification:
  required | preferred}; the relying party is "typically your user pool
  domain" (API reference, WebAuthnConfigurationType).
- WebAuthnConfigurationMissingException: "a user pool doesn't have a
  configured relying party id or a user pool domain".
- WebAuthnNotEnabledException: "the passkey feature isn't enabled for the
  user pool" (WEB_AUTHN not among SignInPolicy.AllowedFirstAuthFactors).
- WebAuthnChallengeNotFoundException: "the challenge from StartWebAuthn
  registration has expired" (or was never issued).
- WebAuthnClientMismatchException: "the access token is for a different
  client than the one in the original StartWebAuthnRegistration request".
- DeleteWebAuthnCredential lists ResourceNotFoundException for an unknown id.
- CredentialCreationOptions and Credential are documents: embedded JSON.
"""

import pytest
from botocore.exceptions import ClientError

from tessera_e2e.flows import make_app_client, make_pool, confirmed_user, sign_in

PASSKEY_POLICY = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"]


def passkey_pool(cognito, relying_party="auth.example.com", **config):
    pool_id = make_pool(cognito, Policies=PASSKEY_POLICY)
    web_authn = {"UserVerification": "required", **config}
    if relying_party is not None:
        web_authn["RelyingPartyId"] = relying_party
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OFF", WebAuthnConfiguration=web_authn
    )
    return pool_id


def signed_in(cognito, pool_id, username="alice"):
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, username)
    return client_id, sign_in(cognito, client_id, username)["AccessToken"]


def test_web_authn_configuration_is_stored_and_described(cognito):
    pool_id = passkey_pool(cognito)
    config = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert config["WebAuthnConfiguration"] == {
        "RelyingPartyId": "auth.example.com",
        "UserVerification": "required",
    }
    assert config["MfaConfiguration"] == "OFF"


def test_a_relying_party_id_that_is_not_a_domain_is_refused(cognito, pool):
    for bad in ["https://auth.example.com", "auth.example.com:443", "a..b"]:
        with pytest.raises(ClientError) as e:
            cognito.set_user_pool_mfa_config(
                UserPoolId=pool, WebAuthnConfiguration={"RelyingPartyId": bad}
            )
        assert error_of(e) == "InvalidParameterException", bad


def test_user_verification_outside_the_enum_is_refused(cognito, pool):
    with pytest.raises(ClientError) as e:
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool, WebAuthnConfiguration={"UserVerification": "discouraged"}
        )
    assert error_of(e) == "InvalidParameterException"


def test_start_gives_creation_options_for_the_relying_party(cognito):
    pool_id = passkey_pool(cognito)
    _, token = signed_in(cognito, pool_id)
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    # A document: boto3 hands back the embedded JSON as a dict.
    assert options["rp"]["id"] == "auth.example.com"
    assert options["user"]["name"] == "alice"
    assert options["challenge"]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert {p["alg"] for p in options["pubKeyCredParams"]} >= {-7}


def test_the_relying_party_defaults_to_the_pool_domain(cognito):
    pool_id = passkey_pool(cognito, relying_party=None)
    _, token = signed_in(cognito, pool_id)
    with pytest.raises(ClientError) as e:
        cognito.start_web_authn_registration(AccessToken=token)
    assert error_of(e) == "WebAuthnConfigurationMissingException"
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="passkeys-prefix")
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "passkeys-prefix.auth.localhost"


def test_start_without_web_authn_among_the_first_factors_is_refused(cognito):
    pool_id = make_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, WebAuthnConfiguration={"RelyingPartyId": "auth.example.com"}
    )
    _, token = signed_in(cognito, pool_id)
    with pytest.raises(ClientError) as e:
        cognito.start_web_authn_registration(AccessToken=token)
    assert error_of(e) == "WebAuthnNotEnabledException"


def test_complete_without_a_start_is_challenge_not_found(cognito):
    pool_id = passkey_pool(cognito)
    _, token = signed_in(cognito, pool_id)
    credential = {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {"clientDataJSON": "e30", "attestationObject": "oA"},
        "clientExtensionResults": {},
    }
    with pytest.raises(ClientError) as e:
        cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    assert error_of(e) == "WebAuthnChallengeNotFoundException"


def test_a_bad_credential_is_refused_and_uses_up_the_challenge(cognito):
    pool_id = passkey_pool(cognito)
    _, token = signed_in(cognito, pool_id)
    cognito.start_web_authn_registration(AccessToken=token)
    with pytest.raises(ClientError) as e:
        cognito.complete_web_authn_registration(AccessToken=token, Credential={"id": 1})
    assert error_of(e) == "InvalidParameterException"
    cognito.start_web_authn_registration(AccessToken=token)
    credential = {
        "id": "AAAA",
        "rawId": "AAAA",
        "type": "public-key",
        "response": {"clientDataJSON": "e30", "attestationObject": "oA"},
        "clientExtensionResults": {},
    }
    with pytest.raises(ClientError) as e:
        cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    assert error_of(e) == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        cognito.complete_web_authn_registration(AccessToken=token, Credential=credential)
    assert error_of(e) == "WebAuthnChallengeNotFoundException"


def test_complete_with_another_clients_token_is_client_mismatch(cognito):
    pool_id = passkey_pool(cognito)
    _, token = signed_in(cognito, pool_id)
    other_client = make_app_client(cognito, pool_id)["ClientId"]
    other_token = sign_in(cognito, other_client, "alice")["AccessToken"]
    cognito.start_web_authn_registration(AccessToken=token)
    with pytest.raises(ClientError) as e:
        cognito.complete_web_authn_registration(
            AccessToken=other_token,
            Credential={"id": "AAAA", "rawId": "AAAA", "type": "public-key",
                        "response": {"clientDataJSON": "e30", "attestationObject": "oA"}},
        )
    assert error_of(e) == "WebAuthnClientMismatchException"


def test_a_new_user_lists_no_credentials_and_deleting_an_unknown_one_is_not_found(cognito):
    pool_id = passkey_pool(cognito)
    _, token = signed_in(cognito, pool_id)
    assert cognito.list_web_authn_credentials(AccessToken=token, MaxResults=20)["Credentials"] == []
    with pytest.raises(ClientError) as e:
        cognito.delete_web_authn_credential(AccessToken=token, CredentialId="bm9uZQ")
    assert error_of(e) == "ResourceNotFoundException"


def test_the_operations_need_a_valid_access_token(cognito):
    for call in (
        lambda: cognito.start_web_authn_registration(AccessToken="nope"),
        lambda: cognito.list_web_authn_credentials(AccessToken="nope"),
        lambda: cognito.delete_web_authn_credential(AccessToken="nope", CredentialId="x"),
    ):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == "NotAuthorizedException"


def test_max_results_above_the_model_limit_is_refused(cognito):
    pool_id = passkey_pool(cognito)
    _, token = signed_in(cognito, pool_id)
    with pytest.raises(ClientError) as e:
        cognito.list_web_authn_credentials(AccessToken=token, MaxResults=21)
    assert error_of(e) == "InvalidParameterException"
