"""Operations authorized by the user's access token (issue 3, Build 5): GetUser,
UpdateUserAttributes, VerifyUserAttribute, GetUserAttributeVerificationCode,
DeleteUserAttributes, DeleteUser, ChangePassword.

Cognito facts:
- Changing email/phone makes it unverified and, when auto-verified, sends a code; the answer
  lists it in CodeDeliveryDetailsList (API reference, UpdateUserAttributes).
- UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate keeps the original value
  active until the new one is verified (API reference, UserAttributeUpdateSettingsType).
- ChangePassword with a wrong previous password: NotAuthorizedException "Incorrect username or
  password." (developer guide, managing errors).
- email_verified / phone_number_verified are not client-writable ("A client attempted to write
  unauthorized attribute", aws-sdk-js#3603).
"""

import pytest

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import (
    AUTH_NEW_PASSWORD,
    AUTH_PASSWORD,
    WRONG_PASSWORD,
    attr_dict,
    attr_list,
    codes_for,
    confirmed_user,
    latest_code,
    make_app_client,
    make_pool,
    outbox,
    password_auth,
    sign_in,
    srp_sign_in,
)


@pytest.fixture
def user(cognito):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"], Schema=[
        {"Name": "team", "AttributeDataType": "String", "Mutable": True}])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "alice", attributes={
        "email": "alice@example.com", "email_verified": "true", "given_name": "Alice", "custom:team": "red"})
    auth = sign_in(cognito, client_id, "alice")
    return pool_id, client_id, auth["AccessToken"]


def get_attrs(cognito, token):
    return attr_dict(cognito.get_user(AccessToken=token)["UserAttributes"])


# ---------------------------------------------------------------- GetUser


def test_get_user(cognito, user):
    pool_id, _, token = user
    resp = cognito.get_user(AccessToken=token)
    assert resp["Username"] == "alice"
    attrs = attr_dict(resp["UserAttributes"])
    admin = attr_dict(cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"])
    assert attrs["sub"] == admin["sub"]
    assert attrs["email"] == "alice@example.com"
    assert attrs["email_verified"] == "true"
    assert attrs["given_name"] == "Alice"
    assert attrs["custom:team"] == "red"


def test_get_user_in_email_username_pool(cognito):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    sub = confirmed_user(cognito, pool_id, "bob@example.com")["Username"]
    token = sign_in(cognito, client_id, "bob@example.com")["AccessToken"]
    assert cognito.get_user(AccessToken=token)["Username"] == sub


# ---------------------------------------------------------------- UpdateUserAttributes


def test_update_plain_attributes(cognito, user):
    _, _, token = user
    resp = cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list(
        {"given_name": "Alicia", "custom:team": "blue", "family_name": "Smith"}))
    assert resp.get("CodeDeliveryDetailsList", []) == []
    attrs = get_attrs(cognito, token)
    assert attrs["given_name"] == "Alicia"
    assert attrs["custom:team"] == "blue"
    assert attrs["family_name"] == "Smith"
    assert attrs["email_verified"] == "true"


def test_change_email_unverifies_and_sends_code(cognito, server, user):
    pool_id, _, token = user
    resp = cognito.update_user_attributes(AccessToken=token,
                                          UserAttributes=attr_list({"email": "new@example.com"}))
    assert resp["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    attrs = get_attrs(cognito, token)
    assert attrs["email"] == "new@example.com"
    assert attrs["email_verified"] == "false"
    (msg,) = outbox(server, pool_id=pool_id, recipient="new@example.com")
    assert msg["kind"] == "code" and msg["medium"] == "EMAIL"
    code = latest_code(server, pool_id, "new@example.com")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert get_attrs(cognito, token)["email_verified"] == "true"


def test_keep_original_email_until_verified(cognito, server):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"], UserAttributeUpdateSettings={
        "AttributesRequireVerificationBeforeUpdate": ["email"]})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "carol", attributes={"email": "carol@example.com", "email_verified": "true"})
    token = sign_in(cognito, client_id, "carol")["AccessToken"]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"email": "carol2@example.com"}))
    # The original, verified value stays active until the new one is verified.
    attrs = get_attrs(cognito, token)
    assert attrs["email"] == "carol@example.com"
    assert attrs["email_verified"] == "true"
    code = latest_code(server, pool_id, "carol2@example.com")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    attrs = get_attrs(cognito, token)
    assert attrs["email"] == "carol2@example.com"
    assert attrs["email_verified"] == "true"


def test_email_verified_not_self_writable(cognito, server):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "dan", attributes={"email": "dan@example.com"})
    token = sign_in(cognito, client_id, "dan")["AccessToken"]
    with expect_error("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"email_verified": "true"}))
    assert get_attrs(cognito, token).get("email_verified", "false") == "false"


def test_client_write_attributes_enforced(cognito):
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, WriteAttributes=["given_name"])["ClientId"]
    confirmed_user(cognito, pool_id, "erin", attributes={"family_name": "Old"})
    token = sign_in(cognito, client_id, "erin")["AccessToken"]
    with expect_error("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"family_name": "New"}))
    assert get_attrs(cognito, token)["family_name"] == "Old"
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"given_name": "Erin"}))
    assert get_attrs(cognito, token)["given_name"] == "Erin"


def test_update_unknown_attribute(cognito, user):
    _, _, token = user
    with expect_error("InvalidParameterException"):
        cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"custom:missing": "x"}))


# ---------------------------------------------------------------- verification codes


def test_get_user_attribute_verification_code(cognito, server, user):
    pool_id, _, token = user
    resp = cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    # The API reference example answers {"Destination": "a***@e***", ...} for this call.
    assert resp["CodeDeliveryDetails"] == {
        "Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = latest_code(server, pool_id, "alice@example.com")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert get_attrs(cognito, token)["email_verified"] == "true"


def test_verify_user_attribute_wrong_code(cognito, server, user):
    pool_id, _, token = user
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"email": "fresh@example.com"}))
    code = latest_code(server, pool_id, "fresh@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with expect_error("CodeMismatchException", "Invalid verification code provided, please try again."):
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=wrong)
    assert get_attrs(cognito, token)["email_verified"] == "false"


def test_verification_code_is_single_use(cognito, server, user):
    pool_id, _, token = user
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"email": "once@example.com"}))
    code = latest_code(server, pool_id, "once@example.com")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"email": "twice@example.com"}))
    new_code = latest_code(server, pool_id, "twice@example.com")
    if new_code != code:
        with expect_error({"CodeMismatchException", "ExpiredCodeException"}):
            cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
        assert get_attrs(cognito, token)["email_verified"] == "false"


def test_phone_verification_by_sms(cognito, server):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["phone_number"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "fay")
    token = sign_in(cognito, client_id, "fay")["AccessToken"]
    resp = cognito.update_user_attributes(AccessToken=token, UserAttributes=attr_list({"phone_number": "+15555550177"}))
    assert resp["CodeDeliveryDetailsList"] == [
        {"Destination": "+*******0177", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    code = latest_code(server, pool_id, "+15555550177")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="phone_number", Code=code)
    assert get_attrs(cognito, token)["phone_number_verified"] == "true"
    assert codes_for(server, pool_id, "+15555550177") == [code]


# ---------------------------------------------------------------- DeleteUserAttributes


def test_delete_user_attributes(cognito, user):
    _, _, token = user
    cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["given_name", "custom:team"])
    attrs = get_attrs(cognito, token)
    assert "given_name" not in attrs and "custom:team" not in attrs
    assert attrs["email"] == "alice@example.com"


def test_delete_required_attribute_refused(cognito):
    pool_id = make_pool(cognito, Schema=[{"Name": "email", "AttributeDataType": "String",
                                         "Required": True, "Mutable": True}])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "gus", attributes={"email": "gus@example.com"})
    token = sign_in(cognito, client_id, "gus")["AccessToken"]
    with expect_error("InvalidParameterException"):
        cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["email"])
    assert get_attrs(cognito, token)["email"] == "gus@example.com"


# ---------------------------------------------------------------- ChangePassword


def test_change_password(cognito, user):
    _, client_id, token = user
    cognito.change_password(AccessToken=token, PreviousPassword=AUTH_PASSWORD, ProposedPassword=AUTH_NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", AUTH_NEW_PASSWORD)["AccessToken"]
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(cognito, client_id, "alice", AUTH_PASSWORD)


def test_change_password_wrong_previous(cognito, user):
    _, client_id, token = user
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        cognito.change_password(AccessToken=token, PreviousPassword="Not-Her-Passw0rd!",
                                ProposedPassword=AUTH_NEW_PASSWORD)
    assert sign_in(cognito, client_id, "alice", AUTH_PASSWORD)["AccessToken"]


def test_change_password_policy(cognito, user):
    _, client_id, token = user
    with expect_error("InvalidPasswordException", contains="Password not long enough"):
        cognito.change_password(AccessToken=token, PreviousPassword=AUTH_PASSWORD, ProposedPassword="Sh0rt!")
    assert sign_in(cognito, client_id, "alice", AUTH_PASSWORD)["AccessToken"]


def test_changed_password_works_with_srp(server, cognito, user):
    pool_id, client_id, token = user
    cognito.change_password(AccessToken=token, PreviousPassword=AUTH_PASSWORD, ProposedPassword=AUTH_NEW_PASSWORD)
    # The SRP verifier follows the password.
    assert srp_sign_in(server, pool_id, client_id, "alice", AUTH_NEW_PASSWORD)["AuthenticationResult"]


# ---------------------------------------------------------------- DeleteUser


def test_delete_user(cognito, user):
    pool_id, client_id, token = user
    cognito.delete_user(AccessToken=token)
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    # The deleted user's token no longer authorizes anything (a missing user is reported as
    # "User does not exist." by some SDK reports, aws-sdk-android#366, so either type).
    with expect_error({"NotAuthorizedException", "UserNotFoundException"}):
        cognito.get_user(AccessToken=token)


def test_deleted_user_can_sign_up_again_as_new_user(cognito, user):
    pool_id, client_id, token = user
    old_sub = get_attrs(cognito, token)["sub"]
    cognito.delete_user(AccessToken=token)
    new = confirmed_user(cognito, pool_id, "alice")
    assert attr_dict(new["UserAttributes"])["sub"] != old_sub
    with expect_error({"NotAuthorizedException", "UserNotFoundException"}):
        cognito.get_user(AccessToken=token)
