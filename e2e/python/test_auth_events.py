"""Advanced security (issue 17 item 4): auth events, risk configuration, the admin
audit log, through boto3 against the running binary.

Cognito facts used here (AWS docs, botocore's model):
- AdminListUserAuthEvents / the feedback operations need UserPoolAddOns
  AdvancedSecurityMode AUDIT or ENFORCED, else UserPoolAddOnNotEnabledException.
- AuthEventType: EventId, EventType (SignIn, SignUp, ForgotPassword, PasswordChange,
  ResendCode), CreationDate, EventResponse (Pass, Fail, InProgress), EventRisk
  {RiskDecision, RiskLevel, CompromisedCredentialsDetected}, ChallengeResponses
  [{ChallengeName, ChallengeResponse Success|Failure}], EventContextData, EventFeedback
  {FeedbackValue, Provider, FeedbackDate}; listed newest first, MaxResults/NextToken.
- Compromised credentials are checked for USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH
  sign-ins, sign-up and password change, never for SRP; actions apply only in ENFORCED
  (full-function) mode; a blocked sign-in leaves the user RESET_REQUIRED.
- BlockedIPRangeList (CIDR) refuses sign-ins from those ranges in full-function mode;
  SkippedIPRangeList exempts them from risk evaluation.
"""

import json
import re
import uuid

import pytest

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_PASSWORD,
    WRONG_PASSWORD,
    attr_list,
    confirmed_user,
    latest_code,
    make_app_client,
    make_pool,
    outbox,
    password_auth,
    sign_in,
    unique,
    user_status,
)
from tessera_e2e.server import E2E_STORE, TesseraServer, run_tessera

BREACHED = "Breach3d!Pass"
# SHA-1 of "Leak3d!Pass2", the way Have I Been Pwned lists hashes.
BREACHED_SHA1 = "Leak3d!Pass2"
ACCESS_KEY = "AKIDEVENTSTEST"


@pytest.fixture(scope="module")
def risk_server(tessera_bin, tmp_path_factory):
    import hashlib

    work = tmp_path_factory.mktemp("risk")
    listing = work / "breached.txt"
    digest = hashlib.sha1(BREACHED_SHA1.encode()).hexdigest().upper()
    listing.write_text(f"{BREACHED}\n{digest}:42\n")
    srv = TesseraServer(
        tessera_bin, work, config_toml=f'[risk]\nbreached_passwords_file = "{listing}"\n'
    )
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin(risk_server):
    return make_client(risk_server, aws_access_key_id=ACCESS_KEY)


def secured_pool(admin, mode="AUDIT"):
    pool_id = make_pool(
        admin,
        UserPoolAddOns={"AdvancedSecurityMode": mode},
        AutoVerifiedAttributes=["email"],
    )
    client_id = make_app_client(admin, pool_id)["ClientId"]
    return pool_id, client_id


def events(admin, pool_id, username, **kw):
    return admin.admin_list_user_auth_events(UserPoolId=pool_id, Username=username, **kw)[
        "AuthEvents"
    ]


def test_off_refuses_with_user_pool_add_on_not_enabled(admin):
    pool_id = make_pool(admin)
    confirmed_user(admin, pool_id, "alice")
    with expect_error("UserPoolAddOnNotEnabledException"):
        admin.admin_list_user_auth_events(UserPoolId=pool_id, Username="alice")
    with expect_error("UserPoolAddOnNotEnabledException"):
        admin.admin_update_auth_event_feedback(
            UserPoolId=pool_id, Username="alice", EventId=str(uuid.uuid4()), FeedbackValue="Valid"
        )


def test_off_records_nothing_then_audit_records_sign_ins_newest_first(admin, risk_server):
    pool_id, client_id = secured_pool(admin)
    confirmed_user(admin, pool_id, "bob", attributes={"email": "bob@example.com"})
    with expect_error("NotAuthorizedException", WRONG_PASSWORD):
        password_auth(admin, client_id, "bob", "Wr0ng!pass")
    sign_in(admin, client_id, "bob")
    got = events(admin, pool_id, "bob")
    assert [(e["EventType"], e["EventResponse"]) for e in got] == [
        ("SignIn", "Pass"),
        ("SignIn", "Fail"),
    ]
    assert got[0]["ChallengeResponses"] == [
        {"ChallengeName": "Password", "ChallengeResponse": "Success"}
    ]
    assert got[1]["ChallengeResponses"] == [
        {"ChallengeName": "Password", "ChallengeResponse": "Failure"}
    ]
    assert got[0]["EventRisk"]["RiskDecision"] == "NoRisk"
    assert got[0]["EventRisk"]["CompromisedCredentialsDetected"] is False
    assert got[0]["EventContextData"]["IpAddress"] == "127.0.0.1"
    assert got[0]["CreationDate"] >= got[1]["CreationDate"]
    assert len({e["EventId"] for e in got}) == 2

    # Paging: one at a time, newest first, the same events.
    first = admin.admin_list_user_auth_events(UserPoolId=pool_id, Username="bob", MaxResults=1)
    assert [e["EventId"] for e in first["AuthEvents"]] == [got[0]["EventId"]]
    second = admin.admin_list_user_auth_events(
        UserPoolId=pool_id, Username="bob", MaxResults=1, NextToken=first["NextToken"]
    )
    assert [e["EventId"] for e in second["AuthEvents"]] == [got[1]["EventId"]]
    assert "NextToken" not in second

    # ContextData states the user's address for admin flows.
    admin.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": AUTH_PASSWORD},
        ContextData={"IpAddress": "198.51.100.7", "ServerName": "app", "ServerPath": "/login",
                     "HttpHeaders": []},
    )
    assert events(admin, pool_id, "bob")[0]["EventContextData"]["IpAddress"] == "198.51.100.7"


def test_sign_up_change_password_and_forgot_password_are_recorded(admin, risk_server):
    pool_id, client_id = secured_pool(admin)
    admin.sign_up(ClientId=client_id, Username="carol", Password=AUTH_PASSWORD,
                  UserAttributes=attr_list({"email": "carol@example.com"}))
    admin.admin_confirm_sign_up(UserPoolId=pool_id, Username="carol")
    admin.admin_update_user_attributes(UserPoolId=pool_id, Username="carol",
                                       UserAttributes=attr_list({"email_verified": "true"}))
    tokens = sign_in(admin, client_id, "carol")
    with expect_error("NotAuthorizedException"):
        admin.change_password(AccessToken=tokens["AccessToken"], PreviousPassword="Wr0ng!pass",
                              ProposedPassword="N3w!Passw0rd")
    admin.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=AUTH_PASSWORD,
                          ProposedPassword="N3w!Passw0rd")
    admin.forgot_password(ClientId=client_id, Username="carol")
    assert latest_code(risk_server, pool_id, "carol@example.com")
    got = [(e["EventType"], e["EventResponse"]) for e in events(admin, pool_id, "carol")]
    assert got == [
        ("ForgotPassword", "Pass"),
        ("PasswordChange", "Pass"),
        ("PasswordChange", "Fail"),
        ("SignIn", "Pass"),
        ("SignUp", "Pass"),
    ]


def test_admin_feedback_shows_in_the_listing(admin):
    pool_id, client_id = secured_pool(admin)
    confirmed_user(admin, pool_id, "dave")
    sign_in(admin, client_id, "dave")
    event_id = events(admin, pool_id, "dave")[0]["EventId"]
    admin.admin_update_auth_event_feedback(
        UserPoolId=pool_id, Username="dave", EventId=event_id, FeedbackValue="Invalid"
    )
    feedback = events(admin, pool_id, "dave")[0]["EventFeedback"]
    assert feedback["FeedbackValue"] == "Invalid"
    assert feedback["Provider"] == "Admin"
    assert feedback["FeedbackDate"]
    with expect_error("ResourceNotFoundException"):
        admin.admin_update_auth_event_feedback(
            UserPoolId=pool_id, Username="dave", EventId=str(uuid.uuid4()), FeedbackValue="Valid"
        )


def test_risk_configuration_round_trips_for_pool_and_client_and_is_validated(admin):
    pool_id, client_id = secured_pool(admin)
    empty = admin.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    assert empty["UserPoolId"] == pool_id
    assert "CompromisedCredentialsRiskConfiguration" not in empty
    pool_config = {
        "CompromisedCredentialsRiskConfiguration": {
            "EventFilter": ["SIGN_UP", "PASSWORD_CHANGE"],
            "Actions": {"EventAction": "BLOCK"},
        },
        "AccountTakeoverRiskConfiguration": {
            "NotifyConfiguration": {
                "From": "security@example.com",
                "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
                "NoActionEmail": {"Subject": "Sign-in", "TextBody": "Was it you? {one-click-link-valid}"},
            },
            "Actions": {"LowAction": {"Notify": True, "EventAction": "NO_ACTION"}},
        },
        "RiskExceptionConfiguration": {
            "BlockedIPRangeList": ["192.0.2.0/24"],
            "SkippedIPRangeList": ["2001:db8::/32"],
        },
    }
    set_answer = admin.set_risk_configuration(UserPoolId=pool_id, **pool_config)["RiskConfiguration"]
    described = admin.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"]
    for name, value in pool_config.items():
        assert described[name] == value
        assert set_answer[name] == value
    assert "ClientId" not in described
    assert described["LastModifiedDate"]

    client_config = {"RiskExceptionConfiguration": {"SkippedIPRangeList": ["10.0.0.0/8"]}}
    admin.set_risk_configuration(UserPoolId=pool_id, ClientId=client_id, **client_config)
    by_client = admin.describe_risk_configuration(UserPoolId=pool_id, ClientId=client_id)[
        "RiskConfiguration"
    ]
    assert by_client["ClientId"] == client_id
    assert by_client["RiskExceptionConfiguration"] == client_config["RiskExceptionConfiguration"]
    assert "CompromisedCredentialsRiskConfiguration" not in by_client
    # The pool's own configuration is untouched.
    assert admin.describe_risk_configuration(UserPoolId=pool_id)["RiskConfiguration"][
        "RiskExceptionConfiguration"
    ] == pool_config["RiskExceptionConfiguration"]

    with expect_error("InvalidParameterException", contains="CIDR"):
        admin.set_risk_configuration(
            UserPoolId=pool_id,
            RiskExceptionConfiguration={"BlockedIPRangeList": ["192.0.2.0/40"]},
        )
    with expect_error("InvalidParameterException"):
        admin.set_risk_configuration(
            UserPoolId=pool_id,
            CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "EXPLODE"}},
        )
    with expect_error("ResourceNotFoundException"):
        admin.set_risk_configuration(UserPoolId=pool_id, ClientId="nosuchclient0000000000000",
                                     **client_config)
    with expect_error("ResourceNotFoundException"):
        admin.describe_risk_configuration(UserPoolId="us-east-1_doesnotexist")


def block_compromised(admin, pool_id, filters):
    admin.set_risk_configuration(
        UserPoolId=pool_id,
        CompromisedCredentialsRiskConfiguration={
            "EventFilter": filters, "Actions": {"EventAction": "BLOCK"},
        },
    )


def test_breached_password_refused_at_sign_up_when_the_check_is_on(admin):
    pool_id, client_id = secured_pool(admin, mode="ENFORCED")
    block_compromised(admin, pool_id, ["SIGN_UP"])
    for password in (BREACHED, BREACHED_SHA1):
        with expect_error("InvalidPasswordException", contains="breach"):
            admin.sign_up(ClientId=client_id, Username=unique("eve"), Password=password)
    admin.sign_up(ClientId=client_id, Username="fine", Password=AUTH_PASSWORD)

    # The same password is accepted where the check is off: no SIGN_UP in the filter,
    # AUDIT mode, or no advanced security at all.
    block_compromised(admin, pool_id, ["SIGN_IN"])
    admin.sign_up(ClientId=client_id, Username="eve1", Password=BREACHED)
    audit_pool, audit_client = secured_pool(admin, mode="AUDIT")
    block_compromised(admin, audit_pool, ["SIGN_UP"])
    admin.sign_up(ClientId=audit_client, Username="eve2", Password=BREACHED)
    assert events(admin, audit_pool, "eve2")[0]["EventRisk"]["CompromisedCredentialsDetected"] is True
    off_pool = make_pool(admin)
    off_client = make_app_client(admin, off_pool)["ClientId"]
    admin.sign_up(ClientId=off_client, Username="eve3", Password=BREACHED)


def test_breached_password_blocks_sign_in_and_change_password(admin):
    pool_id, client_id = secured_pool(admin, mode="ENFORCED")
    confirmed_user(admin, pool_id, "frank", password=BREACHED)
    confirmed_user(admin, pool_id, "grace")
    block_compromised(admin, pool_id, ["SIGN_IN", "PASSWORD_CHANGE"])
    tokens = sign_in(admin, client_id, "grace")
    with expect_error("InvalidPasswordException", contains="breach"):
        admin.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=AUTH_PASSWORD,
                              ProposedPassword=BREACHED)
    with expect_error("NotAuthorizedException"):
        password_auth(admin, client_id, "frank", BREACHED)
    assert user_status(admin, pool_id, "frank") == "RESET_REQUIRED"
    latest = events(admin, pool_id, "frank")[0]
    assert (latest["EventType"], latest["EventResponse"]) == ("SignIn", "Fail")
    assert latest["EventRisk"] == {"RiskDecision": "Block", "CompromisedCredentialsDetected": True}


def test_user_feedback_with_the_notified_token(admin, risk_server):
    pool_id, client_id = secured_pool(admin, mode="ENFORCED")
    email = f"{unique('heidi')}@example.com"
    confirmed_user(admin, pool_id, "heidi", password=BREACHED, attributes={"email": email})
    admin.set_risk_configuration(
        UserPoolId=pool_id,
        CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "NO_ACTION"}},
        AccountTakeoverRiskConfiguration={
            "NotifyConfiguration": {
                "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
                "NoActionEmail": {"Subject": "New sign-in",
                                  "TextBody": "Not you? token={one-click-link-invalid}"},
            },
            "Actions": {"LowAction": {"Notify": True, "EventAction": "NO_ACTION"}},
        },
    )
    sign_in(admin, client_id, "heidi", password=BREACHED)
    event = events(admin, pool_id, "heidi")[0]
    assert event["EventRisk"]["CompromisedCredentialsDetected"] is True
    notices = [m for m in outbox(risk_server, pool_id=pool_id, recipient=email)
               if m["kind"] == "risk-notification"]
    assert notices, outbox(risk_server, pool_id=pool_id)
    token = re.search(r"token=(\S+)", notices[-1]["body"]).group(1)

    unsigned = make_client(risk_server)
    with expect_error("NotAuthorizedException"):
        unsigned.update_auth_event_feedback(
            UserPoolId=pool_id, Username="heidi", EventId=event["EventId"],
            FeedbackToken=token[:-2] + "xx", FeedbackValue="Invalid",
        )
    unsigned.update_auth_event_feedback(
        UserPoolId=pool_id, Username="heidi", EventId=event["EventId"],
        FeedbackToken=token, FeedbackValue="Invalid",
    )
    feedback = events(admin, pool_id, "heidi")[0]["EventFeedback"]
    assert (feedback["FeedbackValue"], feedback["Provider"]) == ("Invalid", "User")


def test_blocked_ip_range_refuses_sign_in_and_skipped_range_skips_checks(admin):
    pool_id, client_id = secured_pool(admin, mode="ENFORCED")
    confirmed_user(admin, pool_id, "ivan")
    confirmed_user(admin, pool_id, "judy", password=BREACHED)
    admin.set_risk_configuration(
        UserPoolId=pool_id,
        CompromisedCredentialsRiskConfiguration={"Actions": {"EventAction": "BLOCK"}},
        RiskExceptionConfiguration={"BlockedIPRangeList": ["203.0.113.0/24"],
                                    "SkippedIPRangeList": ["198.51.100.0/24"]},
    )

    def admin_sign_in(username, password, ip):
        return admin.admin_initiate_auth(
            UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
            ContextData={"IpAddress": ip, "ServerName": "app", "ServerPath": "/", "HttpHeaders": []},
        )

    with expect_error("NotAuthorizedException"):
        admin_sign_in("ivan", AUTH_PASSWORD, "203.0.113.50")
    latest = events(admin, pool_id, "ivan")[0]
    assert latest["EventResponse"] == "Fail"
    assert latest["EventRisk"]["RiskDecision"] == "Block"
    assert latest["EventContextData"]["IpAddress"] == "203.0.113.50"
    assert "AuthenticationResult" in admin_sign_in("ivan", AUTH_PASSWORD, "192.0.2.1")
    # From a skipped range, the compromised password is not evaluated.
    assert "AuthenticationResult" in admin_sign_in("judy", BREACHED, "198.51.100.9")
    # The peer of InitiateAuth is 127.0.0.1: blocking loopback refuses it.
    admin.set_risk_configuration(
        UserPoolId=pool_id,
        RiskExceptionConfiguration={"BlockedIPRangeList": ["127.0.0.0/8"]},
    )
    with expect_error("NotAuthorizedException"):
        password_auth(admin, client_id, "ivan", AUTH_PASSWORD)


def test_audit_log_cli_lists_admin_changes_with_the_access_key_id(admin, risk_server, tessera_bin):
    pool_id = make_pool(admin)
    client_id = make_app_client(admin, pool_id)["ClientId"]
    admin.admin_create_user(UserPoolId=pool_id, Username="kim", MessageAction="SUPPRESS",
                            TemporaryPassword="Temp0rary!Pw")
    admin.create_group(UserPoolId=pool_id, GroupName="staff")
    kim = admin.admin_get_user(UserPoolId=pool_id, Username="kim")  # a read: not logged
    sub = next(a["Value"] for a in kim["UserAttributes"] if a["Name"] == "sub")
    admin.admin_delete_user(UserPoolId=pool_id, Username="kim")
    args = ["audit-log", "--data-dir", risk_server.data_dir, "--pool-id", pool_id]
    if E2E_STORE:
        args += ["--store", E2E_STORE]
    result = run_tessera(tessera_bin, *args, env=risk_server.process_env())
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    got = [(e["operation"], e["resourceType"], e["resourceId"]) for e in lines]
    assert got == [
        ("CreateUserPool", "UserPool", None),
        ("CreateUserPoolClient", "UserPoolClient", client_id),
        ("AdminCreateUser", "User", sub),
        ("CreateGroup", "Group", "staff"),
        ("AdminDeleteUser", "User", sub),
    ]
    # Users by their sub, never their username: the log outlives them.
    assert "kim" not in result.stdout
    assert {e["accessKeyId"] for e in lines} == {ACCESS_KEY}
    assert {e["userPoolId"] for e in lines} == {pool_id}
    assert "Temp0rary!Pw" not in result.stdout


def test_blocked_ip_ranges_hold_over_https_and_on_the_hosted_sign_in_page(start_server):
    """The socket peer is known on every listener: Tessera's own HTTPS one, and to the hosted
    pages' sign-in form, which take the browser's address as the API takes a caller's."""
    from tessera_e2e.hosted import Browser, resolve_localhost_subdomains

    resolve_localhost_subdomains()
    srv = start_server(args=["--tls-self-signed"])
    cert = str(srv.data_dir / "tls" / "cert.pem")
    admin = make_client(srv, verify=cert)
    pool_id, client_id = secured_pool(admin, mode="ENFORCED")
    confirmed_user(admin, pool_id, "kate")
    admin.set_risk_configuration(UserPoolId=pool_id,
                                 RiskExceptionConfiguration={"BlockedIPRangeList": ["127.0.0.0/8"]})
    with expect_error("NotAuthorizedException"):
        password_auth(admin, client_id, "kate", AUTH_PASSWORD)
    latest = events(admin, pool_id, "kate")[0]
    assert latest["EventRisk"]["RiskDecision"] == "Block"
    assert latest["EventContextData"]["IpAddress"] == "127.0.0.1"

    prefix = f"risk{uuid.uuid4().hex[:8]}"
    admin.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    callback = "https://app.example.com/callback"
    web = make_app_client(admin, pool_id, AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
                          AllowedOAuthScopes=["openid"], CallbackURLs=[callback],
                          SupportedIdentityProviders=["COGNITO"])["ClientId"]
    browser = Browser()
    browser.session.verify = cert
    browser.session.trust_env = False  # a CA bundle from the environment would override `verify`
    query = f"response_type=code&client_id={web}&redirect_uri={callback}&scope=openid"
    domain = f"https://{prefix}.auth.localhost:{srv.port}"  # the certificate covers *.auth.localhost
    page = browser.follow(browser.get(f"{domain}/oauth2/authorize?{query}"), stop_at=callback)
    assert page.status_code == 200, page.text[:300]
    refused = browser.submit(page, {"username": "kate", "password": AUTH_PASSWORD})
    assert refused.status_code in (400, 403), (refused.status_code, refused.headers.get("Location"))
    assert not refused.headers.get("Location", "").startswith(callback), "a blocked sign-in is not signed in"
    assert events(admin, pool_id, "kate")[0]["EventContextData"]["IpAddress"] == "127.0.0.1"
