#!/usr/bin/env python3
"""Produce the SigV4 test vectors used by `tessera-crypto`'s `sigv4` unit tests.

The signatures come from botocore's own signer (the one boto3 and the AWS CLI
use), so the Rust verifier is checked against a real client, not against
itself. The clock is pinned by patching `botocore.auth.get_current_datetime`.

Run: python3 crates/tessera-crypto/tests/vectors/make_sigv4_vectors.py
and paste the printed header values into `src/sigv4.rs` (module `tests`).
"""
import datetime
import hashlib
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
FIXED_NOW = datetime.datetime(2024, 5, 24, 12, 0, 0)  # 20240524T120000Z
BODY = b'{"MaxResults": 10}'


def sign(
    url,
    token=None,
    service="cognito-idp",
    target="AWSCognitoIdentityProviderService.ListUserPools",
    extra_headers=(),
    repeated_header=None,
    unsigned_payload=False,
):
    creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
    request = AWSRequest(
        method="POST",
        url=url,
        data=BODY,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": target,
            **dict(extra_headers),
        },
    )
    if repeated_header:
        # HTTPHeaders appends on assignment, so a second value repeats the header.
        name, values = repeated_header
        for value in values:
            request.headers[name] = value
    if unsigned_payload:
        # What botocore does over https for operations with payload signing off.
        request.context["payload_signing_enabled"] = False
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=FIXED_NOW):
        botocore.auth.SigV4Auth(creds, service, "us-east-1").add_auth(request)
    return request


def show(name, request):
    print(f"== {name}: {request.method} {request.url} body={BODY!r} now={int(FIXED_NOW.replace(tzinfo=datetime.timezone.utc).timestamp())}")
    for key, value in request.headers.items():
        print(f"   {key}: {value}")
    print()


show("plain", sign("https://cognito-idp.us-east-1.amazonaws.com/"))
show("security token", sign("https://cognito-idp.us-east-1.amazonaws.com/", token="FQoGZXIvYXdzEXAMPLE//token+with/odd=chars"))
show("query string", sign("https://cognito-idp.us-east-1.amazonaws.com/?b=2&a=x%20y&a=1&empty="))
show(
    "cognito-identity",
    sign(
        "https://cognito-identity.us-east-1.amazonaws.com/",
        service="cognito-identity",
        target="AWSCognitoIdentityService.ListIdentityPools",
    ),
)
show("local endpoint", sign("http://127.0.0.1:9229/"))
show(
    "whitespace in a header value",
    sign(
        "https://cognito-idp.us-east-1.amazonaws.com/",
        extra_headers={"X-Tessera-Test": "  a   b\tc  "},
    ),
)
show("unsigned payload", sign("https://cognito-idp.us-east-1.amazonaws.com/", unsigned_payload=True))
show(
    "repeated header",
    sign(
        "https://cognito-idp.us-east-1.amazonaws.com/",
        repeated_header=("X-Tessera-Multi", ["first", "  second  value "]),
    ),
)
show(
    "content hash header",
    sign(
        "https://cognito-idp.us-east-1.amazonaws.com/",
        extra_headers={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()},
    ),
)
show(
    "content hash header that lies about the body",
    sign(
        "https://cognito-idp.us-east-1.amazonaws.com/",
        extra_headers={"X-Amz-Content-SHA256": hashlib.sha256(b"{}").hexdigest()},
    ),
)
# With a Date header present, botocore signs with Date instead of X-Amz-Date.
show("date header", sign("https://cognito-idp.us-east-1.amazonaws.com/", extra_headers={"Date": "placeholder"}))
