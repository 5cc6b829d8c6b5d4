"""Email delivery to a real SMTP server process started by the test (aiosmtpd), and SMS to
the outbox or to an HTTP webhook (issue 3, Build 2 and Proof).

Contract (issue 3 brief): with `[smtp]` configured, email goes to SMTP instead of the dev
outbox, using the pool's templates; SMS keeps going to the outbox, or to `[sms_webhook] url`
(a JSON POST {"pool_id", "recipient", "body"}). A refused or unreachable SMTP server makes the
operation answer CodeDeliveryFailureException and leaves no half-created user.
"""

import email
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    AUTH_NEW_PASSWORD,
    attr_list,
    code_in,
    confirmed_user,
    make_app_client,
    make_pool,
    outbox,
    sign_in,
    sign_up,
)
from tessera_e2e.server import free_port

FROM = "Tessera <no-reply@example.com>"

# The test mail server takes AUTH over plain TCP on loopback on purpose (no certificate the
# server under test could trust); aiosmtpd warns about that.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


class Sink:
    """An aiosmtpd handler that keeps what it receives and can refuse recipients."""

    def __init__(self):
        self.messages = []
        self.refuse = False
        self.logins = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain", "html"))
        with self.lock:
            self.messages.append({
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "from": str(msg["From"]),
                "to": str(msg["To"]),
                "subject": str(msg["Subject"]),
                "body": body.get_content().strip() if body is not None else "",
                "login": getattr(session, "login_data", None),
            })
        return "250 Message accepted for delivery"

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m["rcpt_tos"]]


def authenticator_for(sink, username, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login.decode() if isinstance(auth_data.login, bytes) else auth_data.login) == username and \
             (auth_data.password.decode() if isinstance(auth_data.password, bytes) else auth_data.password) == password
        sink.logins.append((mechanism, ok))
        return AuthResult(success=ok)
    return authenticate


@pytest.fixture
def smtp():
    """factory(port=None, auth=None) -> (sink, port); every server started is stopped."""
    started = []

    def factory(port=None, auth=None):
        sink = Sink()
        port = port or free_port()
        kwargs = {}
        if auth:
            kwargs.update(authenticator=authenticator_for(sink, *auth), auth_require_tls=False, auth_required=True)
        ctrl = Controller(sink, hostname="127.0.0.1", port=port, **kwargs)
        ctrl.start()
        started.append(ctrl)
        return sink, port

    yield factory
    for ctrl in started:
        ctrl.stop()


def smtp_config(port, security="none", extra=""):
    return f"""
[smtp]
host = "127.0.0.1"
port = {port}
security = "{security}"
from = "{FROM}"
{extra}
"""


# ---------------------------------------------------------------- delivery by SMTP


def test_sign_up_code_arrives_by_smtp_with_pool_template(smtp, start_server):
    sink, port = smtp()
    srv = start_server(config_toml=smtp_config(port))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"], VerificationMessageTemplate={
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
        "EmailSubject": "Confirm your Tessera account",
        "EmailMessage": "Hi {username}, your code is {####}. Welcome!",
    })
    client_id = make_app_client(c, pool_id)["ClientId"]
    sign_up(c, client_id, "alice", email="alice@example.com")
    (m,) = sink.to("alice@example.com")
    assert m["rcpt_tos"] == ["alice@example.com"]
    assert m["mail_from"] == "no-reply@example.com"
    assert m["from"] == FROM
    assert m["to"] == "alice@example.com"
    assert m["subject"] == "Confirm your Tessera account"
    code = code_in(m["body"])
    assert m["body"] == f"Hi alice, your code is {code}. Welcome!"
    # Email went to SMTP, not to the dev outbox.
    assert outbox(srv, pool_id=pool_id, recipient="alice@example.com") == []
    c.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert c.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "CONFIRMED"


def test_default_template_by_smtp(smtp, start_server):
    sink, port = smtp()
    srv = start_server(config_toml=smtp_config(port))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    sign_up(c, client_id, "bob", email="bob@example.com")
    (m,) = sink.to("bob@example.com")
    assert m["subject"] == "Your verification code"
    assert m["body"] == f"Your verification code is {code_in(m['body'])}."


def test_forgot_password_code_by_smtp(smtp, start_server):
    sink, port = smtp()
    srv = start_server(config_toml=smtp_config(port))
    c = make_client(srv)
    pool_id = make_pool(c)
    client_id = make_app_client(c, pool_id)["ClientId"]
    confirmed_user(c, pool_id, "carol", attributes={"email": "carol@example.com", "email_verified": "true"})
    c.forgot_password(ClientId=client_id, Username="carol")
    (m,) = sink.to("carol@example.com")
    c.confirm_forgot_password(ClientId=client_id, Username="carol", ConfirmationCode=code_in(m["body"]),
                              Password=AUTH_NEW_PASSWORD)
    assert sign_in(c, client_id, "carol", AUTH_NEW_PASSWORD)["AccessToken"]


def test_invitation_by_smtp(smtp, start_server):
    sink, port = smtp()
    srv = start_server(config_toml=smtp_config(port))
    c = make_client(srv)
    pool_id = make_pool(c)
    c.admin_create_user(UserPoolId=pool_id, Username="dan", TemporaryPassword="Temp0rary!",
                        UserAttributes=attr_list({"email": "dan@example.com"}), DesiredDeliveryMediums=["EMAIL"])
    (m,) = sink.to("dan@example.com")
    assert m["subject"] == "Your temporary password"
    assert "Your username is dan and temporary password is Temp0rary!" in m["body"]


def test_smtp_authentication(smtp, start_server, tmp_path):
    sink, port = smtp(auth=("mailer", "s3cret-pass"))
    srv = start_server(config_toml=smtp_config(port, extra='username = "mailer"\npassword = "s3cret-pass"'))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    sign_up(c, client_id, "erin", email="erin@example.com")
    assert len(sink.to("erin@example.com")) == 1
    assert (True in [ok for _, ok in sink.logins]), sink.logins


def test_smtp_password_file(smtp, start_server, tmp_path):
    sink, port = smtp(auth=("mailer", "from-a-file"))
    secret = tmp_path / "smtp-password"
    secret.write_text("from-a-file\n")
    srv = start_server(config_toml=smtp_config(
        port, extra=f'username = "mailer"\npassword_file = "{secret}"'))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    sign_up(c, client_id, "fay", email="fay@example.com")
    assert len(sink.to("fay@example.com")) == 1


def test_wrong_smtp_credentials(smtp, start_server):
    sink, port = smtp(auth=("mailer", "right"))
    srv = start_server(config_toml=smtp_config(port, extra='username = "mailer"\npassword = "wrong"'))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    with expect_error("CodeDeliveryFailureException"):
        sign_up(c, client_id, "gus", email="gus@example.com")
    assert sink.messages == []
    with expect_error("UserNotFoundException"):
        c.admin_get_user(UserPoolId=pool_id, Username="gus")


# ---------------------------------------------------------------- failures


def test_smtp_refusal_leaves_no_user(smtp, start_server):
    sink, port = smtp()
    sink.refuse = True
    srv = start_server(config_toml=smtp_config(port))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    with expect_error("CodeDeliveryFailureException"):
        sign_up(c, client_id, "hank", email="hank@example.com")
    with expect_error("UserNotFoundException"):
        c.admin_get_user(UserPoolId=pool_id, Username="hank")
    sink.refuse = False
    resp = sign_up(c, client_id, "hank", email="hank@example.com")
    assert resp["UserConfirmed"] is False
    (m,) = sink.to("hank@example.com")
    c.confirm_sign_up(ClientId=client_id, Username="hank", ConfirmationCode=code_in(m["body"]))
    assert c.admin_get_user(UserPoolId=pool_id, Username="hank")["UserStatus"] == "CONFIRMED"


def test_smtp_down_leaves_no_user(smtp, start_server):
    port = free_port()  # nothing listens here yet
    srv = start_server(config_toml=smtp_config(port))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    with expect_error("CodeDeliveryFailureException"):
        sign_up(c, client_id, "ivy", email="ivy@example.com")
    with expect_error("UserNotFoundException"):
        c.admin_get_user(UserPoolId=pool_id, Username="ivy")
    assert c.list_users(UserPoolId=pool_id)["Users"] == []
    sink, _ = smtp(port=port)  # the mail server comes up
    sign_up(c, client_id, "ivy", email="ivy@example.com")
    assert len(sink.to("ivy@example.com")) == 1


def test_smtp_down_during_forgot_password(smtp, start_server):
    port = free_port()
    srv = start_server(config_toml=smtp_config(port))
    c = make_client(srv)
    pool_id = make_pool(c)
    client_id = make_app_client(c, pool_id)["ClientId"]
    confirmed_user(c, pool_id, "jack", attributes={"email": "jack@example.com", "email_verified": "true"})
    with expect_error("CodeDeliveryFailureException"):
        c.forgot_password(ClientId=client_id, Username="jack")
    # Nothing changed for the user.
    assert c.admin_get_user(UserPoolId=pool_id, Username="jack")["UserStatus"] == "CONFIRMED"
    assert sign_in(c, client_id, "jack")["AccessToken"]


def test_starttls_required_but_not_offered(smtp, start_server):
    sink, port = smtp()  # plain SMTP: no STARTTLS on offer
    srv = start_server(config_toml=smtp_config(port, security="starttls"))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    # Never downgrade to plaintext when STARTTLS was asked for.
    with expect_error("CodeDeliveryFailureException"):
        sign_up(c, client_id, "kate", email="kate@example.com")
    assert sink.messages == []
    with expect_error("UserNotFoundException"):
        c.admin_get_user(UserPoolId=pool_id, Username="kate")


def test_implicit_tls_against_plain_server(smtp, start_server):
    sink, port = smtp()
    srv = start_server(config_toml=smtp_config(port, security="tls"))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["email"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    with expect_error("CodeDeliveryFailureException"):
        sign_up(c, client_id, "liam", email="liam@example.com")
    assert sink.messages == []


# ---------------------------------------------------------------- SMS beside SMTP


def test_sms_still_goes_to_outbox_with_smtp(smtp, start_server):
    sink, port = smtp()
    srv = start_server(config_toml=smtp_config(port))
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["phone_number"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    sign_up(c, client_id, "mia", phone_number="+15555550188")
    (m,) = outbox(srv, pool_id=pool_id, recipient="+15555550188")
    assert m["medium"] == "SMS" and m["kind"] == "code"
    assert sink.messages == []


class _Hook(BaseHTTPRequestHandler):
    received = None

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self.received.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                              "json": json.loads(self.rfile.read(length) or b"null")})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    received = []
    handler = type("Hook", (_Hook,), {"received": received})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/sms", received
    httpd.shutdown()
    httpd.server_close()


def test_sms_webhook(webhook, start_server):
    url, received = webhook
    srv = start_server(config_toml=f'[sms_webhook]\nurl = "{url}"\n')
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["phone_number"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    sign_up(c, client_id, "noah", phone_number="+15555550199")
    (hit,) = received
    assert hit["path"] == "/sms"
    assert hit["content_type"].startswith("application/json")
    assert hit["json"]["pool_id"] == pool_id
    assert hit["json"]["recipient"] == "+15555550199"
    code = code_in(hit["json"]["body"])
    assert hit["json"]["body"] == f"Your verification code is {code}."
    c.confirm_sign_up(ClientId=client_id, Username="noah", ConfirmationCode=code)
    assert c.admin_get_user(UserPoolId=pool_id, Username="noah")["UserStatus"] == "CONFIRMED"


def test_sms_webhook_down_leaves_no_user(start_server):
    srv = start_server(config_toml=f'[sms_webhook]\nurl = "http://127.0.0.1:{free_port()}/sms"\n')
    c = make_client(srv)
    pool_id = make_pool(c, AutoVerifiedAttributes=["phone_number"])
    client_id = make_app_client(c, pool_id)["ClientId"]
    with expect_error("CodeDeliveryFailureException"):
        sign_up(c, client_id, "olga", phone_number="+15555550111")
    with expect_error("UserNotFoundException"):
        c.admin_get_user(UserPoolId=pool_id, Username="olga")
