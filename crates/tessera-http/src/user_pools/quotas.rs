//! Which of Cognito's request-rate categories each operation counts toward
//! (developer guide, "Amazon Cognito user pools API operation categories and
//! request rate quotas"). Operations the table does not name count toward
//! the category of their kind of resource.

use serde_json::Value;
use tessera_core::services::limits::Category;

use super::Operation;

pub fn category(op: Operation, input: &Value) -> Category {
    use Category as C;
    use Operation as O;
    match op {
        O::InitiateAuth | O::AdminInitiateAuth | O::GetTokensFromRefreshToken => {
            C::UserAuthentication
        }
        // "A response with a ChallengeName of NEW_PASSWORD_REQUIRED counts
        // toward the UserAccountRecovery category."
        O::RespondToAuthChallenge | O::AdminRespondToAuthChallenge => {
            if input.get("ChallengeName").and_then(Value::as_str) == Some("NEW_PASSWORD_REQUIRED") {
                C::UserAccountRecovery
            } else {
                C::UserAuthChallenge
            }
        }
        O::SignUp | O::ConfirmSignUp | O::AdminCreateUser | O::AdminConfirmSignUp => {
            C::UserCreation
        }
        O::ChangePassword
        | O::ConfirmForgotPassword
        | O::ForgotPassword
        | O::AdminResetUserPassword
        | O::AdminSetUserPassword => C::UserAccountRecovery,
        O::AdminGetUser | O::AdminGetUserAuthFactors | O::GetUser | O::GetUserAuthFactors => {
            C::UserRead
        }
        O::AdminAddUserToGroup
        | O::AdminDeleteUserAttributes
        | O::AdminUpdateUserAttributes
        | O::AdminDeleteUser
        | O::AdminDisableUser
        | O::AdminEnableUser
        | O::AdminLinkProviderForUser
        | O::AdminDisableProviderForUser
        | O::VerifyUserAttribute
        | O::DeleteUser
        | O::DeleteUserAttributes
        | O::UpdateUserAttributes
        | O::AdminUserGlobalSignOut
        | O::GlobalSignOut
        // The quota table does not name the session operations (botocore 1.44.8's):
        // revoking one counts as signing out does, listing as the user's other reads.
        | O::AdminRevokeUserSession
        | O::RevokeUserSession
        | O::AdminRemoveUserFromGroup => C::UserUpdate,
        O::RevokeToken => C::UserToken,
        O::AdminGetDevice
        | O::AdminListGroupsForUser
        | O::AdminListDevices
        | O::GetDevice
        | O::ListDevices
        | O::GetUserAttributeVerificationCode
        | O::ResendConfirmationCode
        | O::AdminListUserAuthEvents
        | O::AdminListUserSessions
        | O::ListUserSessions
        | O::ListWebAuthnCredentials => C::UserResourceRead,
        O::AdminForgetDevice
        | O::AdminUpdateAuthEventFeedback
        | O::AdminSetUserMFAPreference
        | O::AdminDeleteSoftwareToken
        | O::AdminSetUserSettings
        | O::AdminUpdateDeviceStatus
        | O::UpdateDeviceStatus
        | O::UpdateAuthEventFeedback
        | O::ConfirmDevice
        | O::SetUserMFAPreference
        | O::SetUserSettings
        | O::VerifySoftwareToken
        | O::AssociateSoftwareToken
        | O::ForgetDevice
        | O::StartWebAuthnRegistration
        | O::CompleteWebAuthnRegistration
        | O::DeleteWebAuthnCredential => C::UserResourceUpdate,
        O::ListUsers | O::ListUsersInGroup => C::UserList,
        O::DescribeUserPool | O::ListUserPools | O::GetUserPoolSessionConfiguration => {
            C::UserPoolRead
        }
        O::CreateUserPool
        | O::UpdateUserPool
        | O::DeleteUserPool
        | O::SetUserPoolSessionConfiguration => C::UserPoolUpdate,
        O::DescribeUserPoolClient
        | O::ListUserPoolClients
        | O::ListUserPoolClientSecrets
        | O::GetUserPoolClientSessionConfiguration => C::UserPoolClientRead,
        O::CreateUserPoolClient
        | O::DeleteUserPoolClient
        | O::UpdateUserPoolClient
        | O::AddUserPoolClientSecret
        | O::DeleteUserPoolClientSecret
        | O::SetUserPoolClientSessionConfiguration => C::UserPoolClientUpdate,
        O::GetClientToken => C::ClientAuthentication,
        O::GetProvisionedLimit | O::UpdateProvisionedLimit => C::LimitManagement,
        O::GetCSVHeader | O::DescribeUserImportJob | O::ListUserImportJobs => {
            C::UserPoolResourceRead
        }
        O::CreateUserImportJob | O::StartUserImportJob | O::StopUserImportJob => {
            C::UserPoolResourceUpdate
        }
        other => {
            // The rest read or change a pool's resources: by their verb.
            let name = other.name();
            let reads = ["Describe", "Get", "List"];
            if reads.iter().any(|verb| name.starts_with(verb)) {
                C::UserPoolResourceRead
            } else {
                C::UserPoolResourceUpdate
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations_fall_in_cognitos_categories() {
        let none = json!({});
        assert_eq!(
            category(Operation::InitiateAuth, &none),
            Category::UserAuthentication
        );
        assert_eq!(
            category(
                Operation::RespondToAuthChallenge,
                &json!({"ChallengeName": "NEW_PASSWORD_REQUIRED"})
            ),
            Category::UserAccountRecovery
        );
        assert_eq!(
            category(
                Operation::RespondToAuthChallenge,
                &json!({"ChallengeName": "SMS_MFA"})
            ),
            Category::UserAuthChallenge
        );
        assert_eq!(
            category(Operation::ListGroups, &none),
            Category::UserPoolResourceRead
        );
        assert_eq!(
            category(Operation::CreateGroup, &none),
            Category::UserPoolResourceUpdate
        );
        assert_eq!(category(Operation::ListUsers, &none), Category::UserList);
        assert_eq!(
            category(Operation::AdminListUserAuthEvents, &none),
            Category::UserResourceRead
        );
        for (op, expected) in [
            (Operation::ListUserSessions, Category::UserResourceRead),
            (Operation::AdminListUserSessions, Category::UserResourceRead),
            (Operation::RevokeUserSession, Category::UserUpdate),
            (Operation::AdminRevokeUserSession, Category::UserUpdate),
            (
                Operation::GetUserPoolSessionConfiguration,
                Category::UserPoolRead,
            ),
            (
                Operation::SetUserPoolSessionConfiguration,
                Category::UserPoolUpdate,
            ),
            (
                Operation::GetUserPoolClientSessionConfiguration,
                Category::UserPoolClientRead,
            ),
            (
                Operation::SetUserPoolClientSessionConfiguration,
                Category::UserPoolClientUpdate,
            ),
        ] {
            assert_eq!(category(op, &none), expected, "{}", op.name());
        }
        assert_eq!(
            category(Operation::UpdateAuthEventFeedback, &none),
            Category::UserResourceUpdate
        );
        assert_eq!(
            category(Operation::DescribeRiskConfiguration, &none),
            Category::UserPoolResourceRead
        );
        assert_eq!(
            category(Operation::SetRiskConfiguration, &none),
            Category::UserPoolResourceUpdate
        );
        assert_eq!(
            category(Operation::GetCSVHeader, &none),
            Category::UserPoolResourceRead
        );
        assert_eq!(
            category(Operation::StartUserImportJob, &none),
            Category::UserPoolResourceUpdate
        );
    }
}
