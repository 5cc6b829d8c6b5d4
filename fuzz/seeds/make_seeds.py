#!/usr/bin/env python3
"""Write the request seeds of the fuzz corpus from botocore's own requests.

botocore (the library under boto3 and the AWS CLI) serializes and signs each
call below exactly as it would send it; the request is caught before it
leaves (nothing is sent anywhere) and written as
- fuzz/corpus/awsjson_request/botocore-<op>: the whole request, in the
  target's format, signed with the example key at 2024-05-24T12:00:00Z (the
  instant the fuzz target's clock reads, so the signed seeds verify);
- fuzz/corpus/sigv4/botocore-<op>: the same request, in that target's format;
- fuzz/corpus/awsjson_validate/botocore-<op>: the operation name and body.

Run with the Python suite's environment (it has botocore):
    "$(scripts/python-env)" fuzz/seeds/make_seeds.py
The other seeds are small hand-written files (see fuzz/README.md).
"""
import datetime
import pathlib
from unittest import mock

import botocore.auth
import botocore.session
from botocore.awsrequest import AWSResponse

FIXED_NOW = datetime.datetime(2024, 5, 24, 12, 0, 0)
HOST = "127.0.0.1:9229"
POOL = "us-east-1_FuzzPool1"
CLIENT = "1example23456789fuzzclient"
SRP_A = "659da90f4495794798570fb0fe1f2d97097e6a02ea2171d04ff04cedca5e21da2af6060bb1d115df" * 9 + "0f4495794798570fb0fe1f2d97097e6a"
TOKEN = "eyJraWQiOiJrIiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiJ4In0.c2ln"

CALLS = [
    ("list_user_pools", dict(MaxResults=10)),
    ("create_user_pool", dict(PoolName="dev", AutoVerifiedAttributes=["email"],
                              UsernameAttributes=["email"],
                              Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True}},
                              Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True,
                                       "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "10"}}])),
    ("describe_user_pool", dict(UserPoolId=POOL)),
    ("create_user_pool_client", dict(UserPoolId=POOL, ClientName="web", GenerateSecret=False,
                                     ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])),
    ("admin_create_user", dict(UserPoolId=POOL, Username="carol",
                               UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
                               DesiredDeliveryMediums=["EMAIL"])),
    ("admin_get_user", dict(UserPoolId=POOL, Username="alice")),
    ("admin_set_user_password", dict(UserPoolId=POOL, Username="alice", Password="Passw0rd!", Permanent=True)),
    ("admin_update_user_attributes", dict(UserPoolId=POOL, Username="alice",
                                          UserAttributes=[{"Name": "given_name", "Value": "Alice"}])),
    ("list_users", dict(UserPoolId=POOL, Filter='email ^= "ali"', Limit=5)),
    ("create_group", dict(UserPoolId=POOL, GroupName="admins", Precedence=1)),
    ("admin_add_user_to_group", dict(UserPoolId=POOL, Username="alice", GroupName="admins")),
    ("admin_initiate_auth", dict(UserPoolId=POOL, ClientId=CLIENT, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"})),
    ("initiate_auth", dict(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                           AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"})),
    ("initiate_auth", dict(ClientId=CLIENT, AuthFlow="USER_SRP_AUTH",
                           AuthParameters={"USERNAME": "alice", "SRP_A": SRP_A}), "srp"),
    ("respond_to_auth_challenge", dict(ClientId=CLIENT, ChallengeName="NEW_PASSWORD_REQUIRED",
                                       Session="AYABeEXAMPLE0123456789abcdef",
                                       ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": "N3w-Passw0rd!"})),
    ("sign_up", dict(ClientId=CLIENT, Username="dave", Password="Passw0rd!",
                     UserAttributes=[{"Name": "email", "Value": "dave@example.com"}])),
    ("confirm_sign_up", dict(ClientId=CLIENT, Username="dave", ConfirmationCode="123456")),
    ("forgot_password", dict(ClientId=CLIENT, Username="alice")),
    ("get_user", dict(AccessToken=TOKEN)),
    ("revoke_token", dict(ClientId=CLIENT, Token=TOKEN)),
    ("tag_resource", dict(ResourceArn=f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{POOL}",
                          Tags={"team": "id"})),
]


def capture(name, params):
    session = botocore.session.get_session()
    client = session.create_client(
        "cognito-idp", region_name="us-east-1", endpoint_url=f"http://{HOST}",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    caught = []

    def before_send(request, **_):
        caught.append(request)
        return AWSResponse(request.url, 200, {}, mock.Mock(stream=lambda **_: [b"{}"], read=lambda: b"{}"))

    client.meta.events.register("before-send", before_send)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=FIXED_NOW):
        try:
            getattr(client, name)(**params)
        except Exception as e:  # the canned answer need not fit the operation
            if not caught:
                raise SystemExit(f"{name}: {e}")
    return caught[0]


def main():
    corpus = pathlib.Path(__file__).resolve().parent.parent / "corpus"
    for call in CALLS:
        name, params = call[0], call[1]
        suffix = f"-{call[2]}" if len(call) > 2 else ""
        request = capture(name, params)
        headers = [("Host", HOST)] + [(k, v.decode() if isinstance(v, bytes) else v)
                                      for k, v in request.headers.items()]
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        head = "".join(f"{k}: {v}\n" for k, v in headers)
        target = dict(headers)["X-Amz-Target"]
        op = target.split(".", 1)[1]
        signed = "Authorization" in dict(headers)
        stem = f"botocore-{op}{suffix}"
        files = {
            "awsjson_request": f"POST /{' keys' if signed else ''}\n{head}\n".encode() + body,
            "sigv4": f"\nPOST /\n{head}\n".encode() + body,
            "awsjson_validate": f"{op}\n".encode() + body,
        }
        for target_dir, content in files.items():
            path = corpus / target_dir / stem
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            print(path.relative_to(corpus.parent))


if __name__ == "__main__":
    main()
