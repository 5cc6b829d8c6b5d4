"""Choice-based sign-in (USER_AUTH, issue 15) against the running server, with boto3 and
pycognito's SRP client.

Cognito facts (API reference: InitiateAuth's AuthParameters, ChallengeResponseType,
SignInPolicyType, GetUserAuthFactors; the reference's auth-flows.md):
- USER_AUTH takes USERNAME and an optional PREFERRED_CHALLENGE; without a preference
  (or with one the user cannot use) the answer is SELECT_CHALLENGE with the
  `AvailableChallenges` member listing PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP,
  WEB_AUTHN as they apply.
- SELECT_CHALLENGE is answered with ANSWER (the challenge chosen) and, for PASSWORD, the
  PASSWORD, for PASSWORD_SRP the SRP_A; for EMAIL_OTP / SMS_OTP the pool sends a code and
  returns that challenge, answered with EMAIL_OTP_CODE / SMS_OTP_CODE.
- The pool's Policies.SignInPolicy.AllowedFirstAuthFactors governs which factors start a
  sign-in; without one, passwords only. The client needs ALLOW_USER_AUTH.
- GetUserAuthFactors answers Username, PreferredMfaSetting, UserMFASettingList and
  ConfiguredUserAuthFactors (the USER_AUTH factors the user has).
Tessera's choices, where Cognito's documentation is silent: codes go only to a verified
email address or phone number; a pool whose MFA is ON offers no passwordless factor, and a
passwordless sign-in is not asked for MFA; a user with a temporary password is offered the
password only; when the client hides user existence, every name (one that matches no user
too) is offered the same codes, and a user who cannot receive one gets a code challenge
that nothing is sent for and no code answers.
"""

import re

import pytest

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    ALL_AUTH_FLOWS,
    _aws_srp,
    assert_tokens,
    codes_for,
    confirmed_user,
    jwt_claims,
    make_app_client,
    make_pool,
    unique,
)
from tessera_e2e.mfa import move_clock

INVALID_CODE = "Invalid code or auth state for the user."
SMS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "tessera"}
EVERY_FACTOR = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
USER_AUTH_ONLY = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def cognito(server):
    return make_client(server)


def passwordless_pool(cognito, factors=EVERY_FACTOR, **settings):
    """A pool allowing `factors` first, a USER_AUTH client, and a user "una" with a verified
    email and phone number: (pool_id, client_id, email, phone)."""
    settings.setdefault("SmsConfiguration", SMS)
    pool_id = make_pool(cognito, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}},
                        **settings)
    client_id = make_app_client(cognito, pool_id, flows=ALL_AUTH_FLOWS + ["ALLOW_USER_AUTH"])["ClientId"]
    email, phone = f"{unique('una')}@example.com", "+15555550142"
    confirmed_user(cognito, pool_id, "una", attributes={
        "email": email, "email_verified": "true",
        "phone_number": phone, "phone_number_verified": "true"})
    return pool_id, client_id, email, phone


def user_auth(cognito, client_id, username="una", **params):
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                                 AuthParameters={"USERNAME": username, **params})


def respond(cognito, client_id, challenge, session, **responses):
    return cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName=challenge,
                                             Session=session, ChallengeResponses=responses)


def sent_code(server, pool_id, recipient):
    return codes_for(server, pool_id, recipient, kind="authentication")[-1]


def test_the_sign_in_policy_round_trips(cognito):
    pool_id, *_ = passwordless_pool(cognito)
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": EVERY_FACTOR}


def test_without_a_preference_the_factors_are_offered(cognito):
    _, client_id, *_ = passwordless_pool(cognito)
    resp = user_auth(cognito, client_id)
    assert resp["ChallengeName"] == "SELECT_CHALLENGE"
    assert resp["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert resp["ChallengeParameters"] == {}
    assert resp["Session"]


def test_an_email_code_chosen_signs_in_without_a_password(server, cognito):
    pool_id, client_id, email, _ = passwordless_pool(cognito)
    offer = user_auth(cognito, client_id)
    challenge = respond(cognito, client_id, "SELECT_CHALLENGE", offer["Session"],
                        USERNAME="una", ANSWER="EMAIL_OTP")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    params = challenge["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert params["CODE_DELIVERY_DESTINATION"] == f"{email[0]}***@e***"
    code = sent_code(server, pool_id, email)
    done = respond(cognito, client_id, "EMAIL_OTP", challenge["Session"],
                   USERNAME="una", EMAIL_OTP_CODE=code)
    claims = jwt_claims(assert_tokens(done["AuthenticationResult"])["IdToken"])
    assert claims["cognito:username"] == "una" and claims["email"] == email
    # The code was taken: the same one does not answer the next sign-in.
    again = user_auth(cognito, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    with expect_error("CodeMismatchException", INVALID_CODE):
        respond(cognito, client_id, "EMAIL_OTP", again["Session"], USERNAME="una", EMAIL_OTP_CODE=code)


def test_a_preferred_sms_code_is_sent_at_once(server, cognito):
    pool_id, client_id, _, phone = passwordless_pool(cognito)
    challenge = user_auth(cognito, client_id, PREFERRED_CHALLENGE="SMS_OTP")
    assert challenge["ChallengeName"] == "SMS_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0142"
    code = sent_code(server, pool_id, phone)
    with expect_error("CodeMismatchException", INVALID_CODE):
        respond(cognito, client_id, "SMS_OTP", challenge["Session"], USERNAME="una",
                SMS_OTP_CODE=f"{(int(code) + 1) % 1000000:06d}")
    done = respond(cognito, client_id, "SMS_OTP", challenge["Session"], USERNAME="una", SMS_OTP_CODE=code)
    assert_tokens(done["AuthenticationResult"])


def test_a_password_through_user_auth(cognito):
    _, client_id, *_ = passwordless_pool(cognito)
    done = user_auth(cognito, client_id, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=AUTH_PASSWORD)
    assert_tokens(done["AuthenticationResult"])
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        user_auth(cognito, client_id, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wrong0ne!")
    with expect_error("InvalidParameterException", "Missing required parameter PASSWORD"):
        user_auth(cognito, client_id, PREFERRED_CHALLENGE="PASSWORD")
    # Chosen from the offer instead.
    offer = user_auth(cognito, client_id)
    done = respond(cognito, client_id, "SELECT_CHALLENGE", offer["Session"],
                   USERNAME="una", ANSWER="PASSWORD", PASSWORD=AUTH_PASSWORD)
    assert_tokens(done["AuthenticationResult"])


def test_password_srp_through_the_offer(cognito):
    pool_id, client_id, *_ = passwordless_pool(cognito)
    srp = _aws_srp(cognito, pool_id, client_id, "una", AUTH_PASSWORD, None)
    offer = user_auth(cognito, client_id)
    params = srp.get_auth_params()
    verifier = respond(cognito, client_id, "SELECT_CHALLENGE", offer["Session"],
                       USERNAME="una", ANSWER="PASSWORD_SRP", SRP_A=params["SRP_A"])
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = srp.process_challenge(verifier["ChallengeParameters"], params)
    done = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                             ChallengeResponses=answer)
    assert_tokens(done["AuthenticationResult"])
    # And preferred up front, as Amplify sends it.
    srp = _aws_srp(cognito, pool_id, client_id, "una", AUTH_PASSWORD, None)
    params = srp.get_auth_params()
    verifier = user_auth(cognito, client_id, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=params["SRP_A"])
    answer = srp.process_challenge(verifier["ChallengeParameters"], params)
    done = cognito.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                             ChallengeResponses=answer)
    assert_tokens(done["AuthenticationResult"])


def test_admin_initiate_auth_takes_user_auth_too(server, cognito):
    pool_id, client_id, email, _ = passwordless_pool(cognito)
    challenge = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="USER_AUTH",
                                            AuthParameters={"USERNAME": "una", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    done = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "una", "EMAIL_OTP_CODE": sent_code(server, pool_id, email)})
    assert_tokens(done["AuthenticationResult"])


def test_the_client_must_allow_user_auth(cognito):
    pool_id, *_ = passwordless_pool(cognito)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("InvalidParameterException", "Auth flow not enabled for this client"):
        user_auth(cognito, client_id)


def test_only_the_factors_the_pool_allows_are_offered(cognito):
    _, client_id, *_ = passwordless_pool(cognito, factors=["PASSWORD"])
    # A preference the pool does not allow falls back to the offer.
    resp = user_auth(cognito, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert resp["ChallengeName"] == "SELECT_CHALLENGE"
    assert resp["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    with expect_error("InvalidParameterException", "The challenge EMAIL_OTP was not offered."):
        respond(cognito, client_id, "SELECT_CHALLENGE", resp["Session"], USERNAME="una", ANSWER="EMAIL_OTP")
    with expect_error("InvalidParameterException", "SOFTWARE_TOKEN_MFA is not a valid first authentication factor."):
        user_auth(cognito, client_id, PREFERRED_CHALLENGE="SOFTWARE_TOKEN_MFA")
    # A pool with no SignInPolicy signs in with passwords only.
    pool_id = make_pool(cognito)
    plain = make_app_client(cognito, pool_id, flows=USER_AUTH_ONLY)["ClientId"]
    confirmed_user(cognito, pool_id, "una", attributes={"email": "una@example.com", "email_verified": "true"})
    assert user_auth(cognito, plain)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_codes_go_only_to_verified_addresses(cognito):
    pool_id, client_id, *_ = passwordless_pool(cognito)
    confirmed_user(cognito, pool_id, "vic", attributes={"email": "vic@example.com", "phone_number": "+15555550199"})
    resp = user_auth(cognito, client_id, username="vic", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert resp["ChallengeName"] == "SELECT_CHALLENGE"
    assert resp["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_a_pool_requiring_mfa_offers_no_passwordless_factor(cognito):
    pool_id, client_id, *_ = passwordless_pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    assert user_auth(cognito, client_id)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_unknown_names_look_like_users_when_existence_is_hidden(server, cognito):
    pool_id, _, email, _ = passwordless_pool(cognito)
    hiding = make_app_client(cognito, pool_id, flows=USER_AUTH_ONLY,
                             PreventUserExistenceErrors="ENABLED")["ClientId"]
    real = user_auth(cognito, hiding)
    ghost = user_auth(cognito, hiding, username="nobody@example.com")
    assert ghost["ChallengeName"] == real["ChallengeName"] == "SELECT_CHALLENGE"
    assert ghost["AvailableChallenges"] == real["AvailableChallenges"]
    challenge = respond(cognito, hiding, "SELECT_CHALLENGE", ghost["Session"],
                        USERNAME="nobody@example.com", ANSWER="EMAIL_OTP")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    # A destination shaped like a real one, the same each time for this name.
    destination = challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"]
    assert re.fullmatch(r"[a-z]\*\*\*@[a-z]\*\*\*", destination), destination
    again = user_auth(cognito, hiding, username="nobody@example.com", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert again["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == destination
    with expect_error("CodeMismatchException", INVALID_CODE):
        respond(cognito, hiding, "EMAIL_OTP", challenge["Session"], USERNAME="nobody@example.com",
                EMAIL_OTP_CODE="123456")
    # Nothing was sent for the unknown name, and a disabled user gets the same as nobody.
    assert not codes_for(server, pool_id, "nobody@example.com", kind="authentication")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="una")
    challenge = user_auth(cognito, hiding, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    before = len(codes_for(server, pool_id, email, kind="authentication"))
    with expect_error("CodeMismatchException", INVALID_CODE):
        respond(cognito, hiding, "EMAIL_OTP", challenge["Session"], USERNAME="una", EMAIL_OTP_CODE="123456")
    assert len(codes_for(server, pool_id, email, kind="authentication")) == before
    # A user whose address is not verified is offered codes too, and sent none.
    confirmed_user(cognito, pool_id, "vic", attributes={"email": "vic@example.com"})
    assert user_auth(cognito, hiding, username="vic")["AvailableChallenges"] == real["AvailableChallenges"]
    challenge = user_auth(cognito, hiding, username="vic", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "v***@e***"
    assert not codes_for(server, pool_id, "vic@example.com", kind="authentication")
    # A client that does not hide says so.
    legacy = make_app_client(cognito, pool_id, flows=USER_AUTH_ONLY)["ClientId"]
    with expect_error("UserNotFoundException", "User does not exist."):
        user_auth(cognito, legacy, username="nobody@example.com")
    with expect_error("NotAuthorizedException", "User is disabled."):
        user_auth(cognito, legacy, PREFERRED_CHALLENGE="EMAIL_OTP")


def test_wrong_codes_are_bounded(server, cognito):
    pool_id, client_id, email, _ = passwordless_pool(cognito)
    challenge = user_auth(cognito, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = sent_code(server, pool_id, email)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(4):
        with expect_error("CodeMismatchException", INVALID_CODE):
            respond(cognito, client_id, "EMAIL_OTP", challenge["Session"], USERNAME="una", EMAIL_OTP_CODE=wrong)
    # The fifth wrong code spends the code's attempts; the wrong codes counted in the
    # user's lockout too, so not even the right code answers now.
    with expect_error("LimitExceededException", "Attempt limit exceeded, please try after some time."):
        respond(cognito, client_id, "EMAIL_OTP", challenge["Session"], USERNAME="una", EMAIL_OTP_CODE=wrong)
    with expect_error("NotAuthorizedException", "Password attempts exceeded"):
        respond(cognito, client_id, "EMAIL_OTP", challenge["Session"], USERNAME="una", EMAIL_OTP_CODE=code)


def test_get_user_auth_factors(cognito):
    pool_id, client_id, *_ = passwordless_pool(cognito)
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "una", "PASSWORD": AUTH_PASSWORD})
    access = tokens["AuthenticationResult"]["AccessToken"]
    factors = cognito.get_user_auth_factors(AccessToken=access)
    assert factors["Username"] == "una"
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert "UserMFASettingList" not in factors
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="una",
                                         UserAttributes=[{"Name": "phone_number_verified", "Value": "false"}])
    assert cognito.get_user_auth_factors(AccessToken=access)["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]
    with expect_error("NotAuthorizedException"):
        cognito.get_user_auth_factors(AccessToken="not-a-token")
    admin = cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username="una")
    assert admin["Username"] == "una"
    assert admin["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]
    with expect_error("UserNotFoundException", "User does not exist."):
        cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username="nobody")


def test_a_code_expires_with_its_session(start_server):
    srv = start_server(env={"TESSERA_TEST_CLOCK": "true"})
    cognito = make_client(srv)
    pool_id, client_id, email, _ = passwordless_pool(cognito)
    challenge = user_auth(cognito, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = sent_code(srv, pool_id, email)
    # The client's AuthSessionValidity: three minutes by default.
    move_clock(srv, 181)
    with expect_error("NotAuthorizedException", "Invalid session for the user, session is expired."):
        respond(cognito, client_id, "EMAIL_OTP", challenge["Session"], USERNAME="una", EMAIL_OTP_CODE=code)


def test_sign_up_then_sign_in_with_confirm_sign_ups_session(server, cognito):
    """SignUp's Session goes to ConfirmSignUp; ConfirmSignUp's signs the user in once
    through USER_AUTH, the confirmation code standing for the first factor."""
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(cognito, pool_id, flows=ALL_AUTH_FLOWS + ["ALLOW_USER_AUTH"])["ClientId"]
    email = f"{unique('sam')}@example.com"
    signed_up = cognito.sign_up(ClientId=client_id, Username="sam", Password=AUTH_PASSWORD,
                                UserAttributes=[{"Name": "email", "Value": email}])
    assert signed_up["UserConfirmed"] is False and signed_up["Session"]
    code = codes_for(server, pool_id, email)[-1]
    with expect_error("NotAuthorizedException", "Invalid session for the user, session is expired."):
        cognito.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode=code, Session="bogus" * 5)
    confirmed = cognito.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode=code,
                                        Session=signed_up["Session"])
    session = confirmed["Session"]
    with expect_error("NotAuthorizedException", "Invalid session for the user, session is expired."):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", Session=session,
                              AuthParameters={"USERNAME": "someone-else"})
    done = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", Session=session,
                                 AuthParameters={"USERNAME": "sam"})
    assert jwt_claims(assert_tokens(done["AuthenticationResult"])["IdToken"])["email"] == email
    with expect_error("NotAuthorizedException", "Invalid session for the user, session is expired."):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", Session=session,
                              AuthParameters={"USERNAME": "sam"})
    # A client without USER_AUTH gets no Session from either.
    plain = make_app_client(cognito, pool_id)["ClientId"]
    other = f"{unique('tom')}@example.com"
    signed_up = cognito.sign_up(ClientId=plain, Username="tom", Password=AUTH_PASSWORD,
                                UserAttributes=[{"Name": "email", "Value": other}])
    assert "Session" not in signed_up
    confirmed = cognito.confirm_sign_up(ClientId=plain, Username="tom",
                                        ConfirmationCode=codes_for(server, pool_id, other)[-1])
    assert "Session" not in confirmed


def test_a_passwordless_code_leaves_a_pending_mfa_code_alone(server, cognito):
    """Codes are kept per purpose: asking for a passwordless sign-in code (anyone who knows
    the name can) does not replace the MFA code of a sign-in already under way."""
    pool_id, client_id, email, _ = passwordless_pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                     EmailMfaConfiguration={"Message": "Code: {####}", "Subject": "Sign in"})
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="una",
                                          EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    mfa = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "una", "PASSWORD": AUTH_PASSWORD})
    assert mfa["ChallengeName"] == "EMAIL_OTP"
    mfa_code = sent_code(server, pool_id, email)
    passwordless = user_auth(cognito, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert passwordless["ChallengeName"] == "EMAIL_OTP"
    done = respond(cognito, client_id, "EMAIL_OTP", mfa["Session"], USERNAME="una", EMAIL_OTP_CODE=mfa_code)
    assert_tokens(done["AuthenticationResult"])
    # Nor does either session take the other's code.
    with expect_error("CodeMismatchException", INVALID_CODE):
        respond(cognito, client_id, "EMAIL_OTP", passwordless["Session"], USERNAME="una",
                EMAIL_OTP_CODE=mfa_code)
    done = respond(cognito, client_id, "EMAIL_OTP", passwordless["Session"], USERNAME="una",
                   EMAIL_OTP_CODE=sent_code(server, pool_id, email))
    assert_tokens(done["AuthenticationResult"])
