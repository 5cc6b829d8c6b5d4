"""Lambda triggers through Tessera's other invokers, and the CUSTOM_AUTH flow, with boto3.

1. The command invoker running an unchanged Python Lambda handler, `handler(event, context)`,
   through tools/trigger-command.py (the issue's acceptance example: company-only sign-up,
   auto-confirmed, and custom claims in the ID token, checked with PyJWT).
2. The Lambda Invoke API invoker against a fake Lambda in this module (no Lambda runtime can
   run here): the fake checks the method, the Invoke path, the invocation type and the SigV4
   signature (recomputed with botocore), and answers as Lambda does.
3. CUSTOM_AUTH: DefineAuthChallenge / CreateAuthChallenge / VerifyAuthChallengeResponse on the
   hook server of tessera_e2e.triggers, through InitiateAuth / RespondToAuthChallenge and the
   admin pair.

Cognito and Lambda facts, with sources:
- A function that throws fails the call with UserLambdaValidationException
  "<Trigger> failed with error <message>." (quoted from live Cognito in
  dabit3/full-stack-serverless-code#108, aws-amplify/amplify-cli#7576); a function that cannot
  be run is UnexpectedLambdaException "<Trigger> invocation failed due to error <cause>."
  (amazon-cognito-auth-js#223). Cognito's timeout is 5 s, with up to 3 attempts (developer
  guide, "Customizing user pool workflows with Lambda triggers").
- PreSignUp response autoConfirmUser / autoVerifyEmail (developer guide, "Pre sign-up Lambda
  trigger"); PreTokenGeneration V1_0 response claimsOverrideDetails.claimsToAddOrOverride adds
  claims to the ID token (developer guide, "Pre token generation Lambda trigger").
- Lambda Invoke API (Lambda API reference, "Invoke"): POST
  /2015-03-31/functions/FunctionName/invocations, FunctionName a name or an ARN (as a path
  segment, percent-encoded: botocore's own lambda client sends arn%3Aaws%3A...),
  X-Amz-Invocation-Type RequestResponse; a function error is 200 with X-Amz-Function-Error
  ("Unhandled") and {"errorMessage", "errorType"}; a bad signature is 403
  InvalidSignatureException. SigV4 (IAM user guide, "Create a signed AWS API request"):
  service "lambda", non-S3 services URI-encode each path segment twice in the canonical
  request, which is what botocore.auth.SigV4Auth computes from the URL sent.
- The Runtime Interface Emulator serves only /2015-03-31/functions/function/invocations,
  needs no signature, and reports a handler's exception as a 200 {"errorType",
  "errorMessage"} without X-Amz-Function-Error (aws-lambda-runtime-interface-emulator#20).
- CUSTOM_AUTH (developer guide, "Custom authentication challenge Lambda triggers" and the
  Define / Create / Verify auth challenge trigger pages): the app client must allow
  ALLOW_CUSTOM_AUTH; InitiateAuth CUSTOM_AUTH {USERNAME} runs DefineAuthChallenge with
  request.session (the rounds so far, oldest first, each {challengeName, challengeResult,
  challengeMetadata}); a challengeName CUSTOM_CHALLENGE runs CreateAuthChallenge (request
  challengeName, session; response publicChallengeParameters, which the caller gets as
  ChallengeParameters with USERNAME, privateChallengeParameters, challengeMetadata, recorded in
  the round); RespondToAuthChallenge CUSTOM_CHALLENGE {USERNAME, ANSWER} + Session runs
  VerifyAuthChallengeResponse (request privateChallengeParameters, challengeAnswer; response
  answerCorrect), then DefineAuthChallenge again; issueTokens gives tokens, failAuthentication
  NotAuthorizedException "Incorrect username or password." (observed; the suite's
  /work/shared/reference/triggers.md). Starting with CHALLENGE_NAME=SRP_A + SRP_A (botocore's
  InitiateAuthRequest.AuthParameters: "ChallengeName: SRP_A ... when doing SRP authentication
  before custom challenges") puts {"challengeName": "SRP_A", "challengeResult": true,
  "challengeMetadata": null} first in session. PreAuthentication runs at the start of a
  custom sign-in, PreTokenGeneration and PostAuthentication when tokens are issued (developer
  guide, "Connecting API actions to Lambda triggers").
- ClientMetadata: InitiateAuth's goes to PreAuthentication (as validationData) but not to
  Define / Create auth challenge (botocore's model, InitiateAuthRequest.ClientMetadata: "This
  request also invokes the functions for the following triggers, but doesn't pass
  ClientMetadata: ... Create auth challenge, Define auth challenge"); RespondToAuthChallenge's
  goes to Define, Create and Verify auth challenge, PostAuthentication and PreTokenGeneration
  as clientMetadata (the AWS SDK reference for AdminRespondToAuthChallengeRequest.clientMetadata,
  and the Define auth challenge page: "use the ClientMetadata parameter in the
  AdminRespondToAuthChallenge and RespondToAuthChallenge API operations").
- A pool without DefineAuthChallenge: InvalidParameterException "Custom auth lambda trigger is
  not configured for the user pool." (live Cognito's message, quoted in
  aws-amplify/amplify-js#5623 and #6327).

Tessera's own rules (README, "Lambda triggers"): a command's non-zero exit with
{"errorMessage"} on stdout is the function throwing; a command still running at
timeout_seconds has its process group killed and counts as a timeout ("… TimeoutException.");
a Lambda answer with any status but 200 is "… invocation failed due to error
ServiceException."
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import (
    ALL_AUTH_FLOWS,
    AUTH_PASSWORD,
    WRONG_PASSWORD,
    admin_get_user,
    assert_tokens,
    attr_dict,
    attr_list,
    codes_for,
    confirmed_user,
    make_app_client,
    make_pool,
    outbox,
    sign_in,
    user_status,
    verify_token,
)
from tessera_e2e.server import ServerFactory
from tessera_e2e.triggers import (
    TriggerServer,
    by_source,
    lambda_arn,
    mapping_toml,
    refuse,
    respond,
)

REPO = Path(__file__).resolve().parents[2]
TRIGGER_COMMAND = REPO / "tools" / "trigger-command.py"


def toml_entry(**members) -> str:
    """One `[[triggers]]` entry; values written as TOML (JSON strings, ints, bools, lists)."""
    lines = ["[[triggers]]"] + [f"{key} = {json.dumps(value)}" for key, value in members.items()]
    return "\n".join(lines) + "\n\n"


def assert_no_user(idp, pool_id: str, username: str) -> None:
    with expect_error("UserNotFoundException", "User does not exist."):
        idp.admin_get_user(UserPoolId=pool_id, Username=username)


# =====================================================================================
# 1. The command invoker: an unchanged Python Lambda handler
# =====================================================================================

COMPANY_HANDLER = '''\
import json, os

LOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handled.jsonl")


def handler(event, context):
    source = event["triggerSource"]
    print("handling", source)  # a Lambda handler's print: must not spoil the answer
    with open(LOG, "a") as log:
        log.write(json.dumps({"source": source, "pool": event["userPoolId"],
                              "function": context.function_name}) + "\\n")
    if source == "PreSignUp_SignUp":
        email = event["request"]["userAttributes"].get("email", "")
        if not email.endswith("@mycompany.com"):
            raise Exception("Only company addresses may sign up")
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
    elif source.startswith("TokenGeneration_"):
        event["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"custom:role": "admin", "custom:tenant_id": "t-42"},
        }
    return event
'''

SLOW_HANDLER = '''\
import os, subprocess, sys, time

PIDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slow.pids")


def handler(event, context):
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(PIDS, "a") as f:
        f.write(f"{os.getpid()} {helper.pid}\\n")
    time.sleep(60)
    return event
'''


@pytest.fixture(scope="module")
def handler_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("handlers")
    (directory / "handler.py").write_text(COMPANY_HANDLER)
    (directory / "slow.py").write_text(SLOW_HANDLER)
    return directory


@pytest.fixture(scope="module")
def cmd_srv(tessera_bin, tmp_path_factory, handler_dir):
    def command(spec):
        return [sys.executable, str(TRIGGER_COMMAND), spec, str(handler_dir)]

    config = (toml_entry(function="slow", command=command("slow.handler"), timeout_seconds=1)
              + toml_entry(default=True, command=command("handler.handler"), timeout_seconds=1))
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("cmd"))
    yield factory(config_toml=config)
    factory.stop_all()


@pytest.fixture(scope="module")
def cmd_idp(cmd_srv):
    return make_client(cmd_srv)


def handled(handler_dir: Path, pool_id: str) -> list[dict]:
    log = handler_dir / "handled.jsonl"
    if not log.exists():
        return []
    return [e for e in map(json.loads, log.read_text().splitlines()) if e["pool"] == pool_id]


def company_pool(idp) -> tuple[str, str]:
    pool_id = make_pool(idp, AutoVerifiedAttributes=["email"], LambdaConfig={
        "PreSignUp": lambda_arn("preSignUp"),
        "PostConfirmation": lambda_arn("postConfirmation"),
        "PreTokenGeneration": lambda_arn("preTokenGeneration"),
    })
    return pool_id, make_app_client(idp, pool_id)["ClientId"]


def test_command_runs_a_python_lambda_handler_for_sign_up_and_tokens(cmd_srv, cmd_idp, handler_dir):
    idp = cmd_idp
    pool_id, client_id = company_pool(idp)

    out = idp.sign_up(ClientId=client_id, Username="ada", Password=AUTH_PASSWORD,
                      UserAttributes=attr_list({"email": "ada@mycompany.com"}))
    assert out["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in out
    user = admin_get_user(idp, pool_id, "ada")
    assert user["UserStatus"] == "CONFIRMED"
    assert attr_dict(user["UserAttributes"])["email_verified"] == "true"

    auth = assert_tokens(sign_in(idp, client_id, "ada"))
    claims = verify_token(auth["IdToken"], cmd_srv, pool_id, audience=client_id)
    assert claims["custom:role"] == "admin"
    assert claims["custom:tenant_id"] == "t-42"
    assert claims["email"] == "ada@mycompany.com"
    assert claims["token_use"] == "id"
    access = verify_token(auth["AccessToken"], cmd_srv, pool_id)
    assert "custom:role" not in access, "V1_0 claims are the ID token's"

    # Every trigger ran through the handler, which saw its function's name as context.function_name.
    assert [(e["source"], e["function"]) for e in handled(handler_dir, pool_id)] == [
        ("PreSignUp_SignUp", "preSignUp"),
        ("PostConfirmation_ConfirmSignUp", "postConfirmation"),
        ("TokenGeneration_Authentication", "preTokenGeneration"),
    ]


def test_command_handler_exception_refuses_the_sign_up(cmd_srv, cmd_idp, handler_dir):
    idp = cmd_idp
    pool_id, client_id = company_pool(idp)
    with expect_error("UserLambdaValidationException",
                      "PreSignUp failed with error Only company addresses may sign up."):
        idp.sign_up(ClientId=client_id, Username="eve", Password=AUTH_PASSWORD,
                    UserAttributes=attr_list({"email": "eve@elsewhere.com"}))
    assert_no_user(idp, pool_id, "eve")
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []
    assert [e["source"] for e in handled(handler_dir, pool_id)] == ["PreSignUp_SignUp"], "run once, not retried"


def _gone(pid: int) -> bool:
    """No such process, or only its zombie left."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def test_command_handler_past_its_timeout_is_killed(cmd_srv, cmd_idp, handler_dir):
    idp = cmd_idp
    pids_file = handler_dir / "slow.pids"
    pids_file.unlink(missing_ok=True)
    pool_id = make_pool(idp, LambdaConfig={"PreSignUp": lambda_arn("slow")})
    client_id = make_app_client(idp, pool_id)["ClientId"]

    started = time.monotonic()
    with expect_error("UnexpectedLambdaException", "PreSignUp invocation failed due to error TimeoutException."):
        idp.sign_up(ClientId=client_id, Username="sloth", Password=AUTH_PASSWORD)
    elapsed = time.monotonic() - started
    assert 2.5 < elapsed < 15, f"three attempts of 1 s each, took {elapsed:.1f} s"
    assert_no_user(idp, pool_id, "sloth")

    # Each attempt's process group (the handler and the helper it started) is gone.
    runs = [tuple(map(int, line.split())) for line in pids_file.read_text().splitlines()]
    assert len(runs) == 3, runs
    pids = [pid for run in runs for pid in run]
    deadline = time.monotonic() + 5
    while not all(map(_gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in pids if not _gone(pid)] == [], "processes left running"


# =====================================================================================
# 2. The Lambda Invoke API invoker, against a fake Lambda
# =====================================================================================

ACCESS_KEY = "AKIDTESSERAE2E"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SIGNED_ARN = lambda_arn("signedPreSignUp", region="eu-west-1")
REGIONAL_ARN = lambda_arn("regional", region="eu-west-1")  # signed for the configured region
WRONG_SECRET_ARN = lambda_arn("wrongSecret", region="eu-west-1")
EMULATED_ARN = lambda_arn("emulated")
INVOKE_PATH = re.compile(r"/2015-03-31/functions/([^/]+)/invocations")
AUTHORIZATION = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                           r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})")


@dataclass
class Reply:
    """An answer sent verbatim by the fake Lambda."""

    status: int = 200
    body: Any = None  # JSON-encoded unless bytes
    headers: dict = field(default_factory=dict)


@dataclass
class Invocation:
    method: str
    path: str
    function: str | None  # the path's FunctionName, decoded
    headers: dict  # lower-case names
    body: bytes
    event: Any
    verdict: str = "ok"  # or why the fake refused the request
    scope: tuple | None = None  # (access key, date, region, service) of a signed request


class FakeLambda:
    """The Lambda Invoke API on 127.0.0.1, checking what AWS Lambda checks.

    `signing[name]` is the region a function's requests must be signed for (functions not
    named there must come unsigned); `handler(function, event)` answers: a dict is the
    returned event, a `Reply` is sent as it is."""

    def __init__(self, keys: dict[str, str], signing: dict[str, str]):
        self.keys = keys
        self.signing = signing
        self.handler: Callable[[str, Any], Any] = lambda function, event: event
        self._seen: list[Invocation] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                fake._serve(self)

            do_GET = do_PUT = do_DELETE = do_POST

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def seen(self) -> list[Invocation]:
        with self._lock:
            return list(self._seen)

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self.handler = lambda function, event: event

    # -- checking -----------------------------------------------------------------------

    def check_signature(self, inv: Invocation, region: str) -> str:
        """"ok", or what is wrong with the request's SigV4 signature for `region`."""
        header = inv.headers.get("authorization")
        if header is None:
            return "unsigned"
        match = AUTHORIZATION.fullmatch(header)
        if not match:
            return f"unparsable Authorization {header!r}"
        key, date, scope_region, service, signed, signature = match.groups()
        inv.scope = (key, date, scope_region, service)
        amz_date = inv.headers.get("x-amz-date", "")
        if key not in self.keys:
            return "unknown access key"
        if not amz_date.startswith(date) or service != "lambda" or scope_region != region:
            return f"wrong scope {inv.scope} for {amz_date} / {region}"
        when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        if abs((datetime.now(timezone.utc) - when).total_seconds()) > 300:
            return f"stale X-Amz-Date {amz_date}"
        names = signed.split(";")
        missing = {"host", "x-amz-date", "x-amz-invocation-type"} - set(names)
        if missing:
            return f"headers not signed: {sorted(missing)}"
        request = AWSRequest(method=inv.method, url=f"http://{inv.headers['host']}{inv.path}", data=inv.body,
                             headers={name: inv.headers.get(name, "") for name in names})
        request.context["timestamp"] = amz_date
        signer = SigV4Auth(Credentials(key, self.keys[key]), "lambda", region)
        canonical = signer.canonical_request(request)
        if signer.signed_headers(signer.headers_to_sign(request)) != signed:
            return "SignedHeaders differ"
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        return "ok" if expected == signature else "signature mismatch"

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        match = INVOKE_PATH.fullmatch(request.path)
        inv = Invocation(method=request.command, path=request.path,
                         function=urllib.parse.unquote(match.group(1)) if match else None,
                         headers={k.lower(): v for k, v in request.headers.items()}, body=body, event=event)
        with self._lock:
            self._seen.append(inv)

        if inv.method != "POST":
            reply = Reply(405, {"message": "Method not allowed"})
            inv.verdict = "method"
        elif inv.function is None:
            reply = Reply(404, {"message": "Not found"}, {"x-amzn-ErrorType": "ResourceNotFoundException"})
            inv.verdict = "path"
        elif inv.headers.get("x-amz-invocation-type") != "RequestResponse":
            reply = Reply(400, {"message": "bad invocation type"}, {"x-amzn-ErrorType": "InvalidParameterValueException"})
            inv.verdict = "invocation type"
        else:
            region = self.signing.get(inv.function)
            verdict = "ok" if region is None and "authorization" not in inv.headers else \
                "signed, but should not be" if region is None else self.check_signature(inv, region)
            inv.verdict = verdict
            if verdict != "ok":
                reply = Reply(403, {"message": "The request signature we calculated does not match the signature "
                                               "you provided."},
                              {"x-amzn-ErrorType": "InvalidSignatureException"})
            else:
                result = self.handler(inv.function, event)
                reply = result if isinstance(result, Reply) else Reply(200, result)
        data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        try:
            request.send_response(reply.status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass


@pytest.fixture(scope="module")
def fake_lambda():
    fake = FakeLambda({ACCESS_KEY: SECRET_KEY},
                      signing={SIGNED_ARN: "eu-west-1", REGIONAL_ARN: "ca-central-1", WRONG_SECRET_ARN: "eu-west-1"})
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def _fresh_fake(request):
    if "fake_lambda" in request.fixturenames:
        request.getfixturevalue("fake_lambda").reset()
    yield


@pytest.fixture(scope="module")
def lambda_srv(tessera_bin, tmp_path_factory, fake_lambda):
    endpoint = fake_lambda.url
    config = (
        toml_entry(arn=SIGNED_ARN, lambda_endpoint=endpoint, access_key_id=ACCESS_KEY,
                   secret_access_key=SECRET_KEY, timeout_seconds=1)
        + toml_entry(arn=REGIONAL_ARN, lambda_endpoint=endpoint, access_key_id=ACCESS_KEY,
                     secret_access_key=SECRET_KEY, region="ca-central-1", timeout_seconds=1)
        + toml_entry(arn=WRONG_SECRET_ARN, lambda_endpoint=endpoint, access_key_id=ACCESS_KEY,
                     secret_access_key="not-the-secret-key", timeout_seconds=1)
        + toml_entry(function="emulated", lambda_endpoint=endpoint, lambda_function="function", timeout_seconds=1)
    )
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("lambda"))
    yield factory(config_toml=config)
    factory.stop_all()


@pytest.fixture(scope="module")
def lambda_idp(lambda_srv):
    return make_client(lambda_srv)


def auto_confirm(function, event):
    event["response"]["autoConfirmUser"] = True
    return event


def invoke_path(name: str) -> str:
    return f"/2015-03-31/functions/{urllib.parse.quote(name, safe='')}/invocations"


def sign_up_pool(idp, arn: str) -> tuple[str, str]:
    pool_id = make_pool(idp, LambdaConfig={"PreSignUp": arn})
    return pool_id, make_app_client(idp, pool_id)["ClientId"]


def test_the_fake_lambda_checks_signatures_as_botocore_makes_them(fake_lambda):
    """The fake itself: boto3's own Lambda client passes its checks, a wrong secret does not."""

    def lambda_client(secret):
        return boto3.client("lambda", endpoint_url=fake_lambda.url, region_name="eu-west-1",
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1}))

    event = {"triggerSource": "PreSignUp_SignUp", "request": {}, "response": {}}
    out = lambda_client(SECRET_KEY).invoke(FunctionName=SIGNED_ARN, InvocationType="RequestResponse",
                                           Payload=json.dumps(event).encode())
    assert out["StatusCode"] == 200
    assert json.loads(out["Payload"].read()) == event
    (inv,) = fake_lambda.seen
    assert inv.verdict == "ok", inv.verdict
    assert inv.path == invoke_path(SIGNED_ARN), "how boto3 puts an ARN in the path"

    with pytest.raises(ClientError) as caught:
        lambda_client("another-secret").invoke(FunctionName=SIGNED_ARN, InvocationType="RequestResponse",
                                               Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert fake_lambda.seen[-1].verdict == "signature mismatch"


@pytest.mark.parametrize("arn, region", [(SIGNED_ARN, "eu-west-1"), (REGIONAL_ARN, "ca-central-1")],
                         ids=["region-of-the-arn", "configured-region"])
def test_lambda_invoke_signed_pre_sign_up_takes_effect(lambda_srv, lambda_idp, fake_lambda, arn, region):
    idp = lambda_idp
    pool_id, client_id = sign_up_pool(idp, arn)
    fake_lambda.handler = auto_confirm
    out = idp.sign_up(ClientId=client_id, Username="lin", Password=AUTH_PASSWORD,
                      UserAttributes=attr_list({"email": "lin@example.com"}))
    assert out["UserConfirmed"] is True
    assert user_status(idp, pool_id, "lin") == "CONFIRMED"

    (inv,) = fake_lambda.seen
    assert inv.method == "POST"
    assert inv.path == invoke_path(arn)
    assert inv.function == arn
    assert inv.headers["x-amz-invocation-type"] == "RequestResponse"
    assert inv.headers["content-type"].startswith("application/json")
    assert inv.verdict == "ok", inv.verdict
    assert inv.scope == (ACCESS_KEY, inv.headers["x-amz-date"][:8], region, "lambda")
    assert inv.event["triggerSource"] == "PreSignUp_SignUp"
    assert inv.event["userPoolId"] == pool_id
    assert inv.event["userName"] == "lin"
    assert inv.event["callerContext"]["clientId"] == client_id
    assert inv.event["request"]["userAttributes"] == {"email": "lin@example.com"}


def test_lambda_invoke_with_a_wrong_secret_is_refused_by_lambda(lambda_srv, lambda_idp, fake_lambda):
    idp = lambda_idp
    pool_id, client_id = sign_up_pool(idp, WRONG_SECRET_ARN)
    fake_lambda.handler = auto_confirm
    with expect_error("UnexpectedLambdaException", "PreSignUp invocation failed due to error ServiceException."):
        idp.sign_up(ClientId=client_id, Username="mal", Password=AUTH_PASSWORD)
    assert [inv.verdict for inv in fake_lambda.seen] == ["signature mismatch"], "refused once, not retried"
    assert fake_lambda.seen[0].scope[0] == ACCESS_KEY
    assert_no_user(idp, pool_id, "mal")


def test_lambda_function_error_is_the_trigger_throwing(lambda_srv, lambda_idp, fake_lambda):
    idp = lambda_idp
    pool_id, client_id = sign_up_pool(idp, SIGNED_ARN)
    fake_lambda.handler = lambda function, event: Reply(
        200, {"errorMessage": "boom", "errorType": "Error", "trace": ["Error: boom", "    at handler"]},
        {"X-Amz-Function-Error": "Unhandled"})
    with expect_error("UserLambdaValidationException", "PreSignUp failed with error boom."):
        idp.sign_up(ClientId=client_id, Username="bo", Password=AUTH_PASSWORD)
    assert [inv.verdict for inv in fake_lambda.seen] == ["ok"]
    assert_no_user(idp, pool_id, "bo")


def test_lambda_emulator_style_function_without_keys(lambda_srv, lambda_idp, fake_lambda):
    idp = lambda_idp
    pool_id, client_id = sign_up_pool(idp, EMULATED_ARN)
    fake_lambda.handler = auto_confirm
    assert idp.sign_up(ClientId=client_id, Username="emu", Password=AUTH_PASSWORD)["UserConfirmed"] is True
    assert user_status(idp, pool_id, "emu") == "CONFIRMED"
    (inv,) = fake_lambda.seen
    assert inv.path == "/2015-03-31/functions/function/invocations"
    assert "authorization" not in inv.headers and "x-amz-date" not in inv.headers
    assert inv.headers["x-amz-invocation-type"] == "RequestResponse"
    assert inv.verdict == "ok", inv.verdict
    assert inv.event["triggerSource"] == "PreSignUp_SignUp"

    # The emulator's report of a handler's exception: 200, no X-Amz-Function-Error.
    fake_lambda.handler = lambda function, event: Reply(200, {
        "errorMessage": "Only company addresses may sign up", "errorType": "Exception",
        "requestId": "8f2c", "stackTrace": ['  File "/var/task/handler.py", line 7, in handler\n']})
    with expect_error("UserLambdaValidationException",
                      "PreSignUp failed with error Only company addresses may sign up."):
        idp.sign_up(ClientId=client_id, Username="emu2", Password=AUTH_PASSWORD)
    assert_no_user(idp, pool_id, "emu2")


# =====================================================================================
# 3. CUSTOM_AUTH
# =====================================================================================

CUSTOM_FLOWS = ALL_AUTH_FLOWS + ["ALLOW_CUSTOM_AUTH"]
CODE = "1234"
HINT = "the four-digit code on your badge"
DEFINE = "DefineAuthChallenge_Authentication"
CREATE = "CreateAuthChallenge_Authentication"
VERIFY = "VerifyAuthChallengeResponse_Authentication"
CHALLENGE_TRIGGERS = {
    "DefineAuthChallenge": lambda_arn("defineAuthChallenge"),
    "CreateAuthChallenge": lambda_arn("createAuthChallenge"),
    "VerifyAuthChallengeResponse": lambda_arn("verifyAuthChallengeResponse"),
}


def round_(name: str, result: bool, metadata: str | None) -> dict:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


def define(event):
    """CUSTOM_CHALLENGE until a right answer (tokens) or three wrong ones (failure)."""
    custom = [r for r in event["request"]["session"] if r["challengeName"] == "CUSTOM_CHALLENGE"]
    response = event["response"]
    if custom and custom[-1]["challengeResult"] is True:
        response.update(issueTokens=True, failAuthentication=False)
    elif len(custom) >= 3:
        response.update(issueTokens=False, failAuthentication=True)
    else:
        response.update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")
    return event


def create(event):
    n = 1 + sum(r["challengeName"] == "CUSTOM_CHALLENGE" for r in event["request"]["session"])
    event["response"].update(publicChallengeParameters={"hint": HINT},
                             privateChallengeParameters={"answer": CODE},
                             challengeMetadata=f"ROUND-{n}")
    return event


def verify(event):
    request = event["request"]
    event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
    return event


CHALLENGES = by_source({
    DEFINE: define,
    CREATE: create,
    VERIFY: verify,
    "TokenGeneration_": respond(claimsOverrideDetails={"claimsToAddOrOverride": {"custom:via": "custom-auth"}}),
})


@pytest.fixture(scope="module")
def hooks():
    with TriggerServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_hooks(request):
    if "hooks" in request.fixturenames:
        hooks = request.getfixturevalue("hooks")
        hooks.reset()
        hooks.handler = CHALLENGES
    yield


@pytest.fixture(scope="module")
def hook_srv(tessera_bin, tmp_path_factory, hooks):
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("custom"))
    yield factory(config_toml=mapping_toml(hooks.url, arn_prefix=lambda_arn("")))
    factory.stop_all()


@pytest.fixture(scope="module")
def idp(hook_srv):
    return make_client(hook_srv)


def custom_pool(idp, *extra: str, flows=CUSTOM_FLOWS, username: str = "cora", **lambda_config) -> tuple[str, str]:
    """A pool with the three challenge triggers (plus `extra` trigger names, plus
    `lambda_config`), a client allowing `flows`, and a confirmed user: (pool_id, client_id)."""
    config = dict(CHALLENGE_TRIGGERS)
    config.update({name: lambda_arn(name[0].lower() + name[1:]) for name in extra})
    config.update(lambda_config)
    pool_id = make_pool(idp, LambdaConfig=config)
    client_id = make_app_client(idp, pool_id, flows=flows)["ClientId"]
    confirmed_user(idp, pool_id, username, attributes={"email": f"{username}@example.com"})
    return pool_id, client_id


def start_custom(idp, client_id, username="cora", **kw) -> dict:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                             AuthParameters={"USERNAME": username}, **kw)


def answer(idp, client_id, session, code, username="cora", **kw) -> dict:
    return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=session,
                                         ChallengeResponses={"USERNAME": username, "ANSWER": code}, **kw)


def assert_challenge(resp: dict, username: str = "cora") -> str:
    """A CUSTOM_CHALLENGE with the public parameters and USERNAME; returns its Session."""
    assert resp["ChallengeName"] == "CUSTOM_CHALLENGE", resp
    assert resp["ChallengeParameters"] == {"hint": HINT, "USERNAME": username}
    assert "AuthenticationResult" not in resp
    assert isinstance(resp.get("Session"), str) and resp["Session"]
    return resp["Session"]


def sessions(hooks, source) -> list[list[dict]]:
    return [e["request"]["session"] for e in hooks.of(source)]


def test_custom_auth_wrong_then_right_answer(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp, "PreAuthentication", "PostAuthentication", "PreTokenGeneration")
    sub = attr_dict(admin_get_user(idp, pool_id, "cora")["UserAttributes"])["sub"]

    first = assert_challenge(start_custom(idp, client_id))
    second = assert_challenge(answer(idp, client_id, first, "0000"))
    assert second != first
    done = answer(idp, client_id, second, CODE)
    auth = assert_tokens(done["AuthenticationResult"])
    assert "ChallengeName" not in done
    claims = verify_token(auth["IdToken"], hook_srv, pool_id, audience=client_id)
    assert claims["sub"] == sub and claims["cognito:username"] == "cora"
    assert claims["custom:via"] == "custom-auth", "PreTokenGeneration ran"

    sources = hooks.sources()
    assert sources[:8] == ["PreAuthentication_Authentication",
                           DEFINE, CREATE, VERIFY, DEFINE, CREATE, VERIFY, DEFINE], sources
    assert sorted(sources[8:]) == ["PostAuthentication_Authentication", "TokenGeneration_Authentication"]

    # DefineAuthChallenge sees the rounds so far, round by round; CreateAuthChallenge the same.
    assert sessions(hooks, DEFINE) == [
        [],
        [round_("CUSTOM_CHALLENGE", False, "ROUND-1")],
        [round_("CUSTOM_CHALLENGE", False, "ROUND-1"), round_("CUSTOM_CHALLENGE", True, "ROUND-2")],
    ]
    assert sessions(hooks, CREATE) == sessions(hooks, DEFINE)[:2]
    assert [e["request"]["challengeName"] for e in hooks.of(CREATE)] == ["CUSTOM_CHALLENGE"] * 2
    verified = hooks.of(VERIFY)
    assert [e["request"]["challengeAnswer"] for e in verified] == ["0000", CODE]
    assert all(e["request"]["privateChallengeParameters"] == {"answer": CODE} for e in verified)

    for event in hooks.of(DEFINE) + hooks.of(CREATE) + verified:
        assert event["version"] == "1"
        assert event["userPoolId"] == pool_id and event["userName"] == "cora"
        assert event["callerContext"]["clientId"] == client_id
        attributes = event["request"]["userAttributes"]
        assert attributes["sub"] == sub and attributes["email"] == "cora@example.com"


def test_custom_auth_answers_replayed_on_one_session_meet_the_lockout(hook_srv, idp, hooks):
    # A sealed Session can be answered again; the functions see one wrong round each time, so
    # their own limit on rounds cannot bound the guesses. Each answer counts toward the user's
    # lockout, as a wrong password or MFA code does.
    pool_id, client_id = custom_pool(idp)
    session = assert_challenge(start_custom(idp, client_id))
    for _ in range(5):
        assert_challenge(answer(idp, client_id, session, "0000"))
    with expect_error("NotAuthorizedException", "Password attempts exceeded"):
        answer(idp, client_id, session, "0001")


def test_custom_auth_three_wrong_answers_fail(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp, "PostAuthentication", "PreTokenGeneration")
    session = assert_challenge(start_custom(idp, client_id))
    session = assert_challenge(answer(idp, client_id, session, "1111"))
    session = assert_challenge(answer(idp, client_id, session, "2222"))
    with expect_error("NotAuthorizedException", WRONG_PASSWORD) as caught:
        answer(idp, client_id, session, "3333")
    assert "AuthenticationResult" not in caught.value.response
    assert sessions(hooks, DEFINE)[-1] == [round_("CUSTOM_CHALLENGE", False, f"ROUND-{n}") for n in (1, 2, 3)]
    assert hooks.sources()[-2:] == [VERIFY, DEFINE]
    assert len(hooks.of(CREATE)) == 3
    assert hooks.of("PostAuthentication_Authentication") == [] and hooks.of("TokenGeneration_Authentication") == []


def test_custom_auth_tampered_session_is_refused(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp)
    session = assert_challenge(start_custom(idp, client_id))
    middle = len(session) // 2
    tampered = session[:middle] + ("A" if session[middle] != "A" else "B") + session[middle + 1:]
    hooks.clear()
    with expect_error("NotAuthorizedException"):
        answer(idp, client_id, tampered, CODE)
    assert hooks.events == [], "no trigger runs for a session that is not the server's"
    # The genuine session still works.
    assert_tokens(answer(idp, client_id, session, CODE)["AuthenticationResult"])


def test_custom_auth_through_the_admin_api(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp, "PreAuthentication", "PostAuthentication")
    started = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                      AuthParameters={"USERNAME": "cora"})
    session = assert_challenge(started)
    wrong = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=session,
        ChallengeResponses={"USERNAME": "cora", "ANSWER": "9999"})
    session = assert_challenge(wrong)
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=session,
        ChallengeResponses={"USERNAME": "cora", "ANSWER": CODE})
    assert_tokens(done["AuthenticationResult"])
    assert hooks.sources()[0] == "PreAuthentication_Authentication"
    assert hooks.sources()[-1] == "PostAuthentication_Authentication"
    assert sessions(hooks, DEFINE)[-1] == [round_("CUSTOM_CHALLENGE", False, "ROUND-1"),
                                           round_("CUSTOM_CHALLENGE", True, "ROUND-2")]
    assert {e["callerContext"]["clientId"] for e in hooks.events} == {client_id}


def test_custom_auth_starting_with_srp_a(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp)
    params = AWSSRP(username="cora", password=AUTH_PASSWORD, pool_id=pool_id, client_id=client_id,
                    client=idp).get_auth_params()
    assert set(params) == {"USERNAME", "SRP_A"}
    started = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                AuthParameters={**params, "CHALLENGE_NAME": "SRP_A"})
    session = assert_challenge(started)
    srp_round = round_("SRP_A", True, None)
    assert sessions(hooks, DEFINE) == [[srp_round]]
    assert sessions(hooks, CREATE) == [[srp_round]]
    assert_tokens(answer(idp, client_id, session, CODE)["AuthenticationResult"])
    assert sessions(hooks, DEFINE)[-1] == [srp_round, round_("CUSTOM_CHALLENGE", True, "ROUND-1")]


def test_custom_auth_client_metadata(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp, "PreAuthentication", "PostAuthentication", "PreTokenGeneration")
    session = assert_challenge(start_custom(idp, client_id, ClientMetadata={"step": "start"}))
    assert hooks.only("PreAuthentication_Authentication")["request"]["validationData"] == {"step": "start"}
    for source in (DEFINE, CREATE):
        request = hooks.only(source)["request"]
        assert request.get("clientMetadata") in (None, {}), f"{source} got InitiateAuth's ClientMetadata"
    hooks.clear()
    session = assert_challenge(answer(idp, client_id, session, "0000", ClientMetadata={"step": "answer-1"}))
    assert {s: hooks.only(s)["request"].get("clientMetadata") for s in (VERIFY, DEFINE, CREATE)} == {
        VERIFY: {"step": "answer-1"}, DEFINE: {"step": "answer-1"}, CREATE: {"step": "answer-1"}}
    hooks.clear()
    assert_tokens(answer(idp, client_id, session, CODE, ClientMetadata={"step": "answer-2"})["AuthenticationResult"])
    for source in (VERIFY, DEFINE, "TokenGeneration_Authentication", "PostAuthentication_Authentication"):
        assert hooks.only(source)["request"].get("clientMetadata") == {"step": "answer-2"}, source


def test_pre_authentication_refusal_stops_a_custom_sign_in(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp, "PreAuthentication")
    hooks.handler = by_source({"PreAuthentication_": refuse("Account is suspended")}, default=CHALLENGES)
    with expect_error("UserLambdaValidationException", "PreAuthentication failed with error Account is suspended."):
        start_custom(idp, client_id)
    assert hooks.sources() == ["PreAuthentication_Authentication"]


def test_define_auth_challenge_throwing_fails_the_sign_in(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp)
    hooks.handler = by_source({DEFINE: refuse("No challenges today")}, default=CHALLENGES)
    with expect_error("UserLambdaValidationException", "DefineAuthChallenge failed with error No challenges today."):
        start_custom(idp, client_id)
    assert hooks.sources() == [DEFINE]


@pytest.mark.parametrize("lambda_config", [
    {},
    {"CreateAuthChallenge": CHALLENGE_TRIGGERS["CreateAuthChallenge"],
     "VerifyAuthChallengeResponse": CHALLENGE_TRIGGERS["VerifyAuthChallengeResponse"]},
], ids=["no-triggers", "no-define"])
def test_custom_auth_needs_define_auth_challenge(hook_srv, idp, hooks, lambda_config):
    pool_id = make_pool(idp, LambdaConfig=lambda_config)
    client_id = make_app_client(idp, pool_id, flows=CUSTOM_FLOWS)["ClientId"]
    confirmed_user(idp, pool_id, "cora")
    with expect_error("InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool."):
        start_custom(idp, client_id)
    with expect_error("InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool."):
        idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                AuthParameters={"USERNAME": "cora"})
    assert hooks.events == []


def test_custom_auth_needs_allow_custom_auth_on_the_client(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp, "PreAuthentication", flows=ALL_AUTH_FLOWS)
    with expect_error("InvalidParameterException"):
        start_custom(idp, client_id)
    with expect_error("InvalidParameterException"):
        idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                AuthParameters={"USERNAME": "cora"})
    assert hooks.events == []


def sms_then_tokens(event):
    """Cognito's own SMS_MFA as the only challenge; tokens once it is answered."""
    session = event["request"]["session"]
    if session and session[-1] == round_("SMS_MFA", True, None):
        event["response"].update(issueTokens=True, failAuthentication=False)
    else:
        event["response"].update(issueTokens=False, failAuthentication=False, challengeName="SMS_MFA")
    return event


def test_define_auth_challenge_can_ask_for_an_sms_code(hook_srv, idp, hooks):
    # DefineAuthChallenge may name SMS_MFA (its page lists it among the challenge names a
    # session holds): Cognito sends the code itself, the caller answers SMS_MFA with
    # SMS_MFA_CODE, and the next DefineAuthChallenge sees the round.
    pool_id, client_id = custom_pool(idp)
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username="cora", UserAttributes=[
        {"Name": "phone_number", "Value": "+15555550142"}, {"Name": "phone_number_verified", "Value": "true"}])
    hooks.handler = by_source({DEFINE: sms_then_tokens}, default=CHALLENGES)
    started = start_custom(idp, client_id)
    assert started["ChallengeName"] == "SMS_MFA"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0142"
    assert hooks.of(CREATE) == [], "Cognito's own challenge needs no CreateAuthChallenge"
    sent = codes_for(hook_srv, pool_id, "+15555550142", kind="authentication")[-1]

    def respond_sms(code):
        return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="SMS_MFA", Session=started["Session"],
                                             ChallengeResponses={"USERNAME": "cora", "SMS_MFA_CODE": code})

    with expect_error("CodeMismatchException"):
        respond_sms("000000" if sent != "000000" else "111111")
    auth = assert_tokens(respond_sms(sent)["AuthenticationResult"])
    assert verify_token(auth["IdToken"], hook_srv, pool_id)["cognito:username"] == "cora"
    assert sessions(hooks, DEFINE) == [[], [round_("SMS_MFA", True, None)]]
    assert hooks.of(VERIFY) == [], "the code is checked by the pool, not VerifyAuthChallengeResponse"


def test_define_auth_challenge_asking_for_a_factor_the_user_lacks(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp)
    hooks.handler = by_source({DEFINE: sms_then_tokens}, default=CHALLENGES)
    with expect_error("InvalidLambdaResponseException",
                      "DefineAuthChallenge asked for SMS_MFA, which the user has no means to answer."):
        start_custom(idp, client_id)
    assert [m for m in outbox(hook_srv, pool_id=pool_id) if m.get("kind") == "authentication"] == []


def test_define_auth_challenge_naming_a_challenge_tessera_lacks(hook_srv, idp, hooks):
    pool_id, client_id = custom_pool(idp)

    def device_challenge(event):
        event["response"].update(issueTokens=False, failAuthentication=False, challengeName="DEVICE_SRP_AUTH")
        return event

    hooks.handler = by_source({DEFINE: device_challenge}, default=CHALLENGES)
    with expect_error("UnsupportedOperationException",
                      "Tessera does not implement the DEVICE_SRP_AUTH challenge in custom authentication yet."):
        start_custom(idp, client_id)
