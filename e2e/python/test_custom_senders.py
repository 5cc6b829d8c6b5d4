"""CustomEmailSender and CustomSMSSender against the running server, with boto3 and the AWS
Encryption SDK for Python as the function's decryption.

Cognito facts (developer guide, "Custom sender Lambda triggers", "Custom email sender Lambda
trigger"): with `LambdaConfig.CustomEmailSender` / `CustomSMSSender` ({LambdaVersion: V1_0,
LambdaArn}) and `KMSKeyID`, Cognito does not send the message itself; the function gets
`request.type` "customEmailSenderRequestV1" / "customSMSSenderRequestV1", `request.code` (the
code or temporary password encrypted with the AWS Encryption SDK under the KMS key, base64),
`clientMetadata` and `userAttributes`, with triggerSource CustomEmailSender_SignUp, _ResendCode,
_ForgotPassword, _AdminCreateUser, … The functions are invoked asynchronously: their answer is
not read.

Tessera has no KMS; it encrypts in the same message format under a raw AES key configured for
the pool's KMSKeyID (README, "Custom senders' codes"), so the function decrypts with a raw AES
keyring: namespace "tessera", key name = the KMSKeyID.
"""

import base64

import aws_encryption_sdk
import pytest
from aws_encryption_sdk.identifiers import (
    CommitmentPolicy,
    EncryptionKeyType,
    WrappingAlgorithm,
)
from aws_encryption_sdk.key_providers.raw import RawMasterKey, WrappingKey

from tessera_e2e.aws import expect_error, make_client
from tessera_e2e.flows import AUTH_PASSWORD, make_app_client, make_pool, outbox, user_status
from tessera_e2e.server import ServerFactory
from tessera_e2e.triggers import TriggerServer, echo, lambda_arn, mapping_toml, refuse

KMS_KEY_ID = "arn:aws:kms:us-east-1:123456789012:key/tessera-e2e"
KEY = bytes(range(32))
SENDERS = {
    "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": lambda_arn("emailSender")},
    "CustomSMSSender": {"LambdaVersion": "V1_0", "LambdaArn": lambda_arn("smsSender")},
    "KMSKeyID": KMS_KEY_ID,
}


def open_code(event: dict) -> tuple[str, dict]:
    """What the function does: base64, then the SDK with a raw AES keyring. Returns the
    code and the encryption context."""
    key = RawMasterKey(
        provider_id="tessera",
        key_id=KMS_KEY_ID.encode(),
        wrapping_key=WrappingKey(
            wrapping_algorithm=WrappingAlgorithm.AES_256_GCM_IV12_TAG16_NO_PADDING,
            wrapping_key=KEY,
            wrapping_key_type=EncryptionKeyType.SYMMETRIC,
        ),
    )
    client = aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    plaintext, header = client.decrypt(source=base64.b64decode(event["request"]["code"]), key_provider=key)
    return plaintext.decode(), dict(header.encryption_context)


@pytest.fixture(scope="module")
def hooks():
    with TriggerServer() as server:
        yield server


@pytest.fixture(scope="module")
def srv(tessera_bin, tmp_path_factory, hooks):
    config = mapping_toml(hooks.url, arn_prefix=lambda_arn("")) + f'''
[[custom_sender_keys]]
kms_key_id = "{KMS_KEY_ID}"
key = "{base64.b64encode(KEY).decode()}"
'''
    factory = ServerFactory(tessera_bin, lambda: tmp_path_factory.mktemp("srv"))
    yield factory(config_toml=config)
    factory.stop_all()


@pytest.fixture(autouse=True)
def fresh(hooks):
    hooks.reset()
    hooks.handler = echo


def test_the_email_sender_gets_the_sign_up_code_encrypted(srv, hooks):
    cognito = make_client(srv)
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"], LambdaConfig=SENDERS)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="kai", Password=AUTH_PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "kai@example.com"}],
                    ClientMetadata={"app": "web"})
    event = hooks.only("CustomEmailSender_SignUp")
    assert event["version"] == "1" and event["userPoolId"] == pool_id and event["userName"] == "kai"
    request = event["request"]
    assert request["type"] == "customEmailSenderRequestV1"
    assert request["clientMetadata"] == {"app": "web"}
    assert request["userAttributes"]["email"] == "kai@example.com"
    code, context = open_code(event)
    assert len(code) == 6 and code.isdigit()
    assert context == {"userpool-id": pool_id}
    assert outbox(srv, pool_id) == [], "the function sends the message, not Tessera"
    cognito.confirm_sign_up(ClientId=client_id, Username="kai", ConfirmationCode=code)
    assert user_status(cognito, pool_id, "kai") == "CONFIRMED"


def test_the_senders_get_every_kind_of_message(srv, hooks):
    cognito = make_client(srv)
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"], LambdaConfig=SENDERS)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="lia", Password=AUTH_PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "lia@example.com"}])
    cognito.resend_confirmation_code(ClientId=client_id, Username="lia")
    resent, _ = open_code(hooks.only("CustomEmailSender_ResendCode"))
    cognito.confirm_sign_up(ClientId=client_id, Username="lia", ConfirmationCode=resent)
    cognito.forgot_password(ClientId=client_id, Username="lia")
    reset, _ = open_code(hooks.only("CustomEmailSender_ForgotPassword"))
    cognito.confirm_forgot_password(ClientId=client_id, Username="lia", ConfirmationCode=reset,
                                    Password="N3w-Passw0rd!")
    # An invitation by SMS: the temporary password, encrypted, to the SMS sender.
    cognito.admin_create_user(UserPoolId=pool_id, Username="max", DesiredDeliveryMediums=["SMS"],
                              UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"}])
    invitation = hooks.only("CustomSMSSender_AdminCreateUser")
    assert invitation["request"]["type"] == "customSMSSenderRequestV1"
    temporary, _ = open_code(invitation)
    started = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "max", "PASSWORD": temporary})
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert outbox(srv, pool_id) == []


def test_a_failing_sender_does_not_fail_the_call(srv, hooks):
    # Cognito invokes the senders asynchronously: the API call does not wait for them.
    cognito = make_client(srv)
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"], LambdaConfig=SENDERS)
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    hooks.handler = refuse("mail server down")
    out = cognito.sign_up(ClientId=client_id, Username="ned", Password=AUTH_PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": "ned@example.com"}])
    assert out["UserConfirmed"] is False
    assert hooks.sources() == ["CustomEmailSender_SignUp"]


def test_a_key_id_without_a_sender_key_fails_the_call(srv, hooks):
    cognito = make_client(srv)
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"],
                        LambdaConfig=dict(SENDERS, KMSKeyID="arn:aws:kms:us-east-1:123456789012:key/other"))
    client_id = make_app_client(cognito, pool_id)["ClientId"]
    with expect_error("UnexpectedLambdaException",
                      "CustomEmailSender invocation failed due to error NotFoundException."):
        cognito.sign_up(ClientId=client_id, Username="oli", Password=AUTH_PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "oli@example.com"}])
    assert hooks.received == []
    with expect_error("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool_id, Username="oli")
