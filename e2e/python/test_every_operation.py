"""Every operation of both service models is known: each answers a Cognito-style
JSON error or a result — never 404, 500 or UnknownOperationException — and an
operation Tessera does not build yet names itself in an
UnsupportedOperationException. Every identity-pool operation is built."""

import json

import botocore.session
import pytest
import requests

from tessera_e2e.aws import JSON_CONTENT_TYPE, raw_call, sign_headers

MODEL = botocore.session.get_session().get_service_model("cognito-idp")
IDENTITY_MODEL = botocore.session.get_session().get_service_model("cognito-identity")

# Built operations answer with their own errors; the rest name themselves.
BUILT = {
    "AddCustomAttributes", "AdminAddUserToGroup", "AdminConfirmSignUp", "AdminCreateUser",
    "AdminDeleteUser", "AdminDeleteUserAttributes", "AdminDisableUser", "AdminEnableUser",
    "AdminGetUser", "AdminInitiateAuth", "AdminListGroupsForUser", "AdminRemoveUserFromGroup",
    "AdminResetUserPassword", "AdminRespondToAuthChallenge", "AdminSetUserMFAPreference",
    "AdminSetUserPassword", "AdminSetUserSettings", "AssociateSoftwareToken",
    "AdminForgetDevice", "AdminGetDevice", "AdminListDevices", "AdminUpdateDeviceStatus",
    "ConfirmDevice", "ForgetDevice", "GetDevice", "ListDevices", "UpdateDeviceStatus",
    "AdminUpdateUserAttributes", "AdminUserGlobalSignOut", "ChangePassword", "ConfirmForgotPassword",
    "ConfirmSignUp", "CreateGroup", "CreateUserPool", "CreateUserPoolClient", "DeleteGroup",
    "DeleteUser", "DeleteUserAttributes", "DeleteUserPool", "DeleteUserPoolClient",
    "DescribeUserPool", "DescribeUserPoolClient", "ForgotPassword", "GetGroup",
    "GetTokensFromRefreshToken", "GetUser", "GetUserAttributeVerificationCode", "GetUserPoolMfaConfig",
    "GlobalSignOut",
    "InitiateAuth", "ListGroups", "ListTagsForResource", "ListUserPoolClients", "ListUserPools",
    "ListUsers", "ListUsersInGroup", "ResendConfirmationCode", "RespondToAuthChallenge",
    "RevokeToken", "SetUserMFAPreference", "SetUserPoolMfaConfig", "SetUserSettings", "SignUp", "TagResource", "UntagResource", "UpdateGroup", "UpdateUserAttributes",
    "UpdateUserPool", "UpdateUserPoolClient", "VerifySoftwareToken",
    "VerifyUserAttribute",
    "CreateUserPoolDomain", "DescribeUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain",
    "CreateResourceServer", "DescribeResourceServer", "ListResourceServers", "UpdateResourceServer",
    "DeleteResourceServer", "SetUICustomization", "GetUICustomization", "CreateManagedLoginBranding",
    "DescribeManagedLoginBranding", "DescribeManagedLoginBrandingByClient", "UpdateManagedLoginBranding",
    "DeleteManagedLoginBranding", "CreateTerms", "DescribeTerms", "ListTerms", "UpdateTerms", "DeleteTerms",
    "GetCSVHeader", "CreateUserImportJob", "StartUserImportJob", "StopUserImportJob",
    "DescribeUserImportJob", "ListUserImportJobs",
    "AdminListUserAuthEvents", "AdminUpdateAuthEventFeedback", "UpdateAuthEventFeedback",
    "SetRiskConfiguration", "DescribeRiskConfiguration",
    "AddUserPoolClientSecret", "ListUserPoolClientSecrets", "DeleteUserPoolClientSecret",
    "GetUserAuthFactors", "AdminGetUserAuthFactors",
    "ListUserSessions", "AdminListUserSessions", "RevokeUserSession", "AdminRevokeUserSession",
    "GetUserPoolSessionConfiguration", "SetUserPoolSessionConfiguration",
    "GetUserPoolClientSessionConfiguration", "SetUserPoolClientSessionConfiguration",
    "StartWebAuthnRegistration", "CompleteWebAuthnRegistration", "ListWebAuthnCredentials",
    "DeleteWebAuthnCredential",
}


def test_the_built_set_is_in_the_model():
    assert BUILT <= set(MODEL.operation_names)
    assert len(BUILT) == 120


@pytest.mark.parametrize("operation", sorted(MODEL.operation_names))
def test_operation_is_known(server, operation):
    resp = raw_call(server, operation, {})
    assert resp.status_code in (200, 400), (resp.status_code, resp.text)
    assert resp.headers.get("x-amzn-RequestId")
    if resp.status_code == 400:
        error = resp.json()
        assert error["__type"] != "UnknownOperationException", error
        assert error["message"], error
        if operation not in BUILT:
            assert error["__type"] in ("UnsupportedOperationException", "InvalidParameterException"), error
    if operation not in BUILT:
        # With its required members present the request passes validation and
        # reaches the "not built yet" answer, which names the operation.
        shape = MODEL.operation_model(operation).input_shape
        required = shape.required_members if shape else []
        if not required:
            assert resp.status_code == 400
            assert resp.json() == {
                "__type": "UnsupportedOperationException",
                "message": f"Tessera does not implement {operation} yet.",
            }


@pytest.mark.parametrize("operation", sorted(IDENTITY_MODEL.operation_names))
def test_identity_operation_is_built(server, operation):
    payload = b"{}"
    headers = {"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": f"AWSCognitoIdentityService.{operation}"}
    headers = sign_headers(server.url + "/", payload, headers, service="cognito-identity")
    resp = requests.post(server.url + "/", data=payload, headers=headers, timeout=30)
    assert resp.status_code in (200, 400), (resp.status_code, resp.text)
    assert resp.headers.get("x-amzn-RequestId")
    if resp.status_code == 400:
        error = json.loads(resp.text)
        assert error["__type"] not in ("UnknownOperationException", "UnsupportedOperationException"), error
        assert error["message"], error
