"""Cognito's answers where Tessera used to answer differently (issue 10).

Each test cites where the fact comes from. Real Cognito error texts quoted in
public trackers are the first source; the emulators (moto, whose tests were
written against real responses) the second.
"""

from tessera_e2e.aws import expect_error
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    admin_get_user,
    attr_dict,
    confirmed_user,
    make_app_client,
    make_pool,
    make_user,
    secret_hash,
    sign_in,
    unique,
)


def create_pool_with(cognito, schema):
    return cognito.create_user_pool(PoolName=unique("schema"), Schema=schema)


# ------------------------------------------------------------- schema constraints
# getmoto/moto tests/test_cognitoidp: test_create_user_pool_invalid_schema_values,
# ..._string_schema_max_length_over_2048, ..._min_bigger_than_max,
# ..._custom_attribute_without_data_type.

def test_constraint_values_that_are_not_numbers_are_refused(cognito):
    cases = [
        ({"Name": "email", "AttributeDataType": "String",
          "StringAttributeConstraints": {"MinLength": "invalid_value"}},
         "Invalid StringAttributeConstraints for schema attribute email"),
        ({"Name": "email", "AttributeDataType": "String",
          "StringAttributeConstraints": {"MaxLength": "invalid_value"}},
         "Invalid StringAttributeConstraints for schema attribute email"),
        ({"Name": "updated_at", "AttributeDataType": "Number",
          "NumberAttributeConstraints": {"MaxValue": "invalid_value"}},
         "Invalid NumberAttributeConstraints for schema attribute updated_at"),
        ({"Name": "updated_at", "AttributeDataType": "Number",
          "NumberAttributeConstraints": {"MinValue": "invalid_value"}},
         "Invalid NumberAttributeConstraints for schema attribute updated_at"),
    ]
    for attribute, message in cases:
        with expect_error("InvalidParameterException", message):
            create_pool_with(cognito, [attribute])


def test_string_lengths_are_at_most_2048_and_min_below_max(cognito):
    for member in ("MinLength", "MaxLength"):
        with expect_error("InvalidParameterException",
                          "user.email: String attributes cannot have a length of more than 2048"):
            create_pool_with(cognito, [{"Name": "email", "AttributeDataType": "String",
                                        "StringAttributeConstraints": {member: "2049"}}])
    with expect_error("InvalidParameterException", "user.email: Max length cannot be less than min length."):
        create_pool_with(cognito, [{"Name": "email", "AttributeDataType": "String",
                                    "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "1"}}])
    with expect_error("InvalidParameterException", "user.updated_at: Max value cannot be less than min value."):
        create_pool_with(cognito, [{"Name": "updated_at", "AttributeDataType": "Number",
                                    "NumberAttributeConstraints": {"MinValue": "2", "MaxValue": "1"}}])


def test_a_custom_attribute_needs_its_data_type(cognito):
    message = "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
    with expect_error("InvalidParameterException", message):
        create_pool_with(cognito, [{"Name": "custom"}])
    pool_id = make_pool(cognito)
    with expect_error("InvalidParameterException", message):
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[{"Name": "tier"}])


def test_add_custom_attributes_checks_constraints_too(cognito):
    pool_id = make_pool(cognito)
    with expect_error("InvalidParameterException", "user.tier: Max length cannot be less than min length."):
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
            {"Name": "tier", "AttributeDataType": "String",
             "StringAttributeConstraints": {"MinLength": "5", "MaxLength": "2"}}])
    names = {a["Name"] for a in cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]}
    assert "custom:tier" not in names


# ------------------------------------------------------------- attribute error wording

def test_standard_attribute_error_has_no_prefix(cognito):
    # moto: test_create_user_pool_standard_attribute_with_changed_data_type_or_developer_only
    for attribute in ({"Name": "email", "AttributeDataType": "Number"},
                      {"Name": "email", "DeveloperOnlyAttribute": True}):
        with expect_error("InvalidParameterException",
                          "You can not change AttributeDataType or set developerOnlyAttribute "
                          "for standard schema attribute email"):
            create_pool_with(cognito, [attribute])


def test_duplicate_custom_attribute_names_its_custom_form(cognito):
    # moto: test_add_custom_attributes_existing_attribute
    attribute = {"Name": "banana", "AttributeDataType": "String", "DeveloperOnlyAttribute": True}
    pool_id = create_pool_with(cognito, [attribute])["UserPool"]["Id"]
    with expect_error("InvalidParameterException",
                      "custom:banana: Existing attribute already has name dev:custom:banana."):
        cognito.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[attribute])


def test_every_bad_attribute_of_a_sign_up_is_listed_one_per_line(cognito):
    # A real SignUp answer (aws-amplify/amplify-flutter#509): "Attributes did not
    # conform to the schema: custom:firstName: Attribute does not exist in the
    # schema.\ncustom:dateOfBirth: …\n", each line ending in a newline.
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("InvalidParameterException",
                      "Attributes did not conform to the schema: "
                      "custom:firstName: Attribute does not exist in the schema.\n"
                      "custom:lastName: Attribute does not exist in the schema.\n"):
        cognito.sign_up(ClientId=client_id, Username=unique("u"), Password=AUTH_PASSWORD, UserAttributes=[
            {"Name": "custom:firstName", "Value": "Ada"},
            {"Name": "custom:lastName", "Value": "Lovelace"},
        ])


def test_every_bad_attribute_of_an_update_is_listed_one_per_line(cognito):
    # A real UpdateUserAttributes answer (aws-amplify/amplify-flutter#1531):
    # "user.custom:address: Attribute does not exist in the schema.\nuser.custom:latitude: …\n".
    pool_id = make_pool(cognito)
    make_user(cognito, pool_id, "ulla")
    with expect_error("InvalidParameterException",
                      "user.custom:address: Attribute does not exist in the schema.\n"
                      "user.custom:latitude: Attribute does not exist in the schema.\n"):
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="ulla", UserAttributes=[
            {"Name": "custom:address", "Value": "1 Main St"},
            {"Name": "custom:latitude", "Value": "51.5"},
        ])


def test_every_bad_attribute_of_a_deletion_is_listed_one_per_line(cognito):
    # AdminDeleteUserAttributes: "Invalid user attributes: user.custom:foo:
    # Attribute does not exist in the schema.\n" (the issue's quote of Cognito).
    pool_id = make_pool(cognito)
    make_user(cognito, pool_id, "dora")
    with expect_error("InvalidParameterException",
                      "Invalid user attributes: user.custom:foo: Attribute does not exist in the schema.\n"
                      "user.custom:bar: Attribute does not exist in the schema.\n"):
        cognito.admin_delete_user_attributes(UserPoolId=pool_id, Username="dora",
                                             UserAttributeNames=["custom:foo", "custom:bar"])


# ------------------------------------------------------------- boolean values

def test_verification_flags_may_be_given_capitalised_by_an_administrator(cognito):
    # Cognito accepts "True" / "False" for email_verified and phone_number_verified
    # in admin calls (the finding against Cognito).
    pool_id = make_pool(cognito, AliasAttributes=["email"])
    make_user(cognito, pool_id, "vera", {"email": "vera@example.com", "email_verified": "True"})
    assert attr_dict(admin_get_user(cognito, pool_id, "vera")["UserAttributes"])["email_verified"] == "true"
    assert admin_get_user(cognito, pool_id, "vera@example.com")["Username"] == "vera", "a verified alias"
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="vera",
                                         UserAttributes=[{"Name": "email_verified", "Value": "False"}])
    assert attr_dict(admin_get_user(cognito, pool_id, "vera")["UserAttributes"])["email_verified"] == "false"
    with expect_error("InvalidParameterException", contains="email_verified"):
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="vera",
                                             UserAttributes=[{"Name": "email_verified", "Value": "yes"}])


# ------------------------------------------------------------- legacy message members

def test_verification_messages_are_mirrored_between_legacy_and_template(cognito):
    # DescribeUserPool shows SmsVerificationMessage, EmailVerificationMessage and
    # EmailVerificationSubject beside VerificationMessageTemplate, each filled from
    # whichever the caller sent (UserPoolType in the API reference).
    templated = cognito.create_user_pool(PoolName=unique("tpl"), VerificationMessageTemplate={
        "SmsMessage": "SMS {####}", "EmailMessage": "Mail {####}", "EmailSubject": "Subject",
        "DefaultEmailOption": "CONFIRM_WITH_CODE"})["UserPool"]
    for pool in (templated, cognito.describe_user_pool(UserPoolId=templated["Id"])["UserPool"]):
        assert pool["SmsVerificationMessage"] == "SMS {####}"
        assert pool["EmailVerificationMessage"] == "Mail {####}"
        assert pool["EmailVerificationSubject"] == "Subject"
    legacy = cognito.create_user_pool(PoolName=unique("legacy"), SmsVerificationMessage="Text {####}",
                                      EmailVerificationMessage="Body {####}",
                                      EmailVerificationSubject="Hello")["UserPool"]
    template = cognito.describe_user_pool(UserPoolId=legacy["Id"])["UserPool"]["VerificationMessageTemplate"]
    assert template["SmsMessage"] == "Text {####}"
    assert template["EmailMessage"] == "Body {####}"
    assert template["EmailSubject"] == "Hello"


# ------------------------------------------------------------- ForgotPassword

def test_forgot_password_with_admin_only_recovery(cognito):
    # "Contact administrator to reset password." (NotAuthorizedException) when the
    # pool's only recovery mechanism is admin_only.
    pool_id = make_pool(cognito, AccountRecoverySetting={
        "RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "adam", {"email": "adam@example.com", "email_verified": "true"})
    with expect_error("NotAuthorizedException", "Contact administrator to reset password."):
        cognito.forgot_password(ClientId=client_id, Username="adam")


def test_forgot_password_for_an_unknown_user(cognito):
    # "Username/client id combination not found." (aws-amplify/amplify-js#10157),
    # with existence errors shown (PreventUserExistenceErrors LEGACY).
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("UserNotFoundException", "Username/client id combination not found."):
        cognito.forgot_password(ClientId=client_id, Username="nobody")


def test_sign_up_on_an_admin_only_pool(cognito):
    # AllowAdminCreateUserOnly: "SignUp is not permitted for this user pool"
    # (NotAuthorizedException).
    pool_id = make_pool(cognito, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("NotAuthorizedException", "SignUp is not permitted for this user pool"):
        cognito.sign_up(ClientId=client_id, Username=unique("u"), Password=AUTH_PASSWORD)


# ------------------------------------------------------------- preferred_username

def test_preferred_username_is_unique_as_usernames_are_compared(cognito):
    # UsernameConfigurationType: CaseSensitive false "also enables both
    # preferred_username and email alias to be case insensitive".
    for case_sensitive, taken in ((False, ["Star", "star", "STAR"]), (True, ["Star"])):
        pool_id = make_pool(cognito, AliasAttributes=["preferred_username"],
                            UsernameConfiguration={"CaseSensitive": case_sensitive})
        make_user(cognito, pool_id, "alice", {"preferred_username": "Star"})
        make_user(cognito, pool_id, "bob")
        for value in taken:
            with expect_error("AliasExistsException"):
                cognito.admin_update_user_attributes(
                    UserPoolId=pool_id, Username="bob",
                    UserAttributes=[{"Name": "preferred_username", "Value": value}])
        assert attr_dict(admin_get_user(cognito, pool_id, "alice")["UserAttributes"])["preferred_username"] == "Star"
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=AUTH_PASSWORD,
                                        Permanent=True)
        client_id = make_app_client(cognito, pool_id, flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
        assert sign_in(cognito, client_id, taken[-1])["AccessToken"], "the alias signs alice in"


# ------------------------------------------------------------- the audit of every built operation
# Each answer below is quoted from a real Cognito response in a public tracker.

def test_code_operations_name_an_unknown_user_by_username_and_client(cognito):
    # "Username/client id combination not found." for ConfirmSignUp
    # (amazon-cognito-identity-js#537), and for ResendConfirmationCode and
    # ConfirmForgotPassword as applications match it.
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    message = "Username/client id combination not found."
    with expect_error("UserNotFoundException", message):
        cognito.confirm_sign_up(ClientId=client_id, Username="nobody", ConfirmationCode="123456")
    with expect_error("UserNotFoundException", message):
        cognito.resend_confirmation_code(ClientId=client_id, Username="nobody")
    with expect_error("UserNotFoundException", message):
        cognito.confirm_forgot_password(ClientId=client_id, Username="nobody", ConfirmationCode="123456",
                                        Password=AUTH_PASSWORD)


def test_resend_without_auto_verification_is_not_authorized(cognito):
    # {"__type":"NotAuthorizedException","message":"Cannot resend codes. Auto verification not turned on."}
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="rex", Password=AUTH_PASSWORD)
    with expect_error("NotAuthorizedException", "Cannot resend codes. Auto verification not turned on."):
        cognito.resend_confirmation_code(ClientId=client_id, Username="rex")


def test_change_password_lockout_is_a_limit(cognito):
    # ChangePassword past the lockout: LimitExceededException "Attempt limit exceeded,
    # please try after some time." (aws-amplify/aws-sdk-android#627).
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "cora")
    token = sign_in(cognito, client_id, "cora")["AccessToken"]
    for _ in range(5):
        with expect_error("NotAuthorizedException", "Incorrect username or password."):
            cognito.change_password(AccessToken=token, PreviousPassword="Wr0ng-Passw0rd!",
                                    ProposedPassword="N3w-Passw0rd!")
    with expect_error("LimitExceededException", "Attempt limit exceeded, please try after some time."):
        cognito.change_password(AccessToken=token, PreviousPassword=AUTH_PASSWORD,
                                ProposedPassword="N3w-Passw0rd!")


def test_admin_initiate_auth_refuses_the_public_password_flow(cognito):
    # USER_PASSWORD_AUTH belongs to InitiateAuth: AdminInitiateAuth answers
    # "Initiate Auth method not supported." (awsdocs/aws-doc-sdk-examples#5289).
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("InvalidParameterException", "Initiate Auth method not supported."):
        cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "x", "PASSWORD": AUTH_PASSWORD})


def test_srp_not_enabled_wording(cognito):
    # "USER_SRP_AUTH is not enabled for the client." (aws-samples/aws-serverless-workshops#277)
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id, flows=["ALLOW_USER_PASSWORD_AUTH",
                                                         "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    with expect_error("InvalidParameterException", "USER_SRP_AUTH is not enabled for the client."):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "x", "SRP_A": "ab" * 64})


def test_srp_and_refresh_word_their_secret_hash_refusals(cognito):
    # USER_SRP_AUTH without SECRET_HASH: "... is configured with secret but SECRET_HASH was
    # not received" (aws-amplify/amplify-android#2504); REFRESH_TOKEN_AUTH with a wrong one:
    # "SecretHash does not match for the client: <id>" (NabuCasa/pycognito#196).
    pool_id = make_pool(cognito)
    app = make_app_client(cognito, pool_id, secret=True)
    client_id = app["ClientId"]
    with expect_error("NotAuthorizedException",
                      f"Client {client_id} is configured with secret but SECRET_HASH was not received"):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "x", "SRP_A": "ab" * 64})
    confirmed_user(cognito, pool_id, "sid")
    auth = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "sid", "PASSWORD": AUTH_PASSWORD,
        "SECRET_HASH": secret_hash("sid", client_id, app["ClientSecret"])})["AuthenticationResult"]
    with expect_error("NotAuthorizedException", f"SecretHash does not match for the client: {client_id}"):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
            "REFRESH_TOKEN": auth["RefreshToken"], "SECRET_HASH": "d3JvbmcK"})


def test_an_immutable_attribute_update_is_worded_shortly(cognito):
    # "user.email: Attribute cannot be updated.\n" (aws-amplify/amplify-swift#3981).
    pool_id = cognito.create_user_pool(PoolName=unique("imm"), Schema=[
        {"Name": "email", "AttributeDataType": "String", "Mutable": False}])["UserPool"]["Id"]
    make_user(cognito, pool_id, "ivan", {"email": "ivan@example.com"})
    with expect_error("InvalidParameterException", "user.email: Attribute cannot be updated.\n"):
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="ivan",
                                             UserAttributes=[{"Name": "email", "Value": "new@example.com"}])


def test_only_email_and_phone_can_be_verified(cognito):
    # "Invalid attribute name. Only phone_number and email can be verified."
    pool_id = make_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "vic")
    token = sign_in(cognito, client_id, "vic")["AccessToken"]
    with expect_error("InvalidParameterException",
                      "Invalid attribute name. Only phone_number and email can be verified."):
        cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="name")


def test_a_duplicate_group_is_worded_without_its_name(cognito):
    # "A group with the name already exists" (aws-amplify/amplify-backend#1781).
    pool_id = make_pool(cognito)
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    with expect_error("GroupExistsException", "A group with the name already exists"):
        cognito.create_group(UserPoolId=pool_id, GroupName="admins")


def test_client_settings_are_refused_as_cognito_refuses_them(cognito):
    pool_id = cognito.create_user_pool(PoolName=unique("cli"), Schema=[
        {"Name": "name", "AttributeDataType": "String", "Required": True}])["UserPool"]["Id"]
    # cisagov/crossfeed#440: code flow without callback URLs.
    with expect_error("InvalidOAuthFlowException",
                      "CallbackUrls can not be empty when code flow or implicit flow is selected"):
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", AllowedOAuthFlows=["code"],
                                        AllowedOAuthScopes=["openid"], AllowedOAuthFlowsUserPoolClient=True)
    # aws/aws-cdk#7625: ALLOW_ flows without refresh.
    with expect_error("InvalidParameterException", "REFRESH_TOKEN_AUTH should always be allowed."):
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c",
                                        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    # Write attributes must include every required attribute (creating), and the update
    # says so in its own words (jmaleonard/serverless-cognito-add-custom-attributes#4).
    with expect_error("InvalidParameterException", "Invalid write attributes specified while creating a client"):
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", WriteAttributes=["email"])
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("InvalidParameterException", "Invalid write attributes specified while updating a client"):
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, WriteAttributes=["custom:nope"])
