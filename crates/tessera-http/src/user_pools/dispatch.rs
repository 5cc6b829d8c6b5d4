//! The single `match` from operation to handler. Operations of the model not
//! built yet answer an error that names them.

use serde_json::Value;

use super::{Operation, ops};
use crate::awsjson::{ApiError, Caller, OperationError};
use crate::router::AppState;

pub async fn call(
    state: &AppState,
    op: Operation,
    input: Value,
    caller: &Caller,
) -> Result<Value, OperationError> {
    use Operation as O;
    match op {
        O::CreateUserPool => ops::create_user_pool::handle(state, input).await,
        O::DescribeUserPool => ops::describe_user_pool::handle(state, input).await,
        O::ListUserPools => ops::list_user_pools::handle(state, input).await,
        O::UpdateUserPool => ops::update_user_pool::handle(state, input).await,
        O::DeleteUserPool => ops::delete_user_pool::handle(state, input).await,
        O::AddCustomAttributes => ops::add_custom_attributes::handle(state, input).await,
        O::CreateUserPoolClient => ops::create_user_pool_client::handle(state, input).await,
        O::DescribeUserPoolClient => ops::describe_user_pool_client::handle(state, input).await,
        O::ListUserPoolClients => ops::list_user_pool_clients::handle(state, input).await,
        O::UpdateUserPoolClient => ops::update_user_pool_client::handle(state, input).await,
        O::DeleteUserPoolClient => ops::delete_user_pool_client::handle(state, input).await,
        O::AddUserPoolClientSecret => ops::add_user_pool_client_secret::handle(state, input).await,
        O::ListUserPoolClientSecrets => {
            ops::list_user_pool_client_secrets::handle(state, input).await
        }
        O::DeleteUserPoolClientSecret => {
            ops::delete_user_pool_client_secret::handle(state, input).await
        }
        O::AdminCreateUser => ops::admin_create_user::handle(state, input).await,
        O::AdminGetUser => ops::admin_get_user::handle(state, input).await,
        O::AdminGetUserAuthFactors => ops::admin_get_user_auth_factors::handle(state, input).await,
        O::ListUsers => ops::list_users::handle(state, input).await,
        O::AdminUpdateUserAttributes => {
            ops::admin_update_user_attributes::handle(state, input).await
        }
        O::AdminDeleteUserAttributes => {
            ops::admin_delete_user_attributes::handle(state, input).await
        }
        O::AdminDeleteUser => ops::admin_delete_user::handle(state, input).await,
        O::AdminDisableUser => ops::admin_disable_user::handle(state, input).await,
        O::AdminEnableUser => ops::admin_enable_user::handle(state, input).await,
        O::AdminSetUserPassword => ops::admin_set_user_password::handle(state, input).await,
        O::AdminResetUserPassword => ops::admin_reset_user_password::handle(state, input).await,
        O::AdminConfirmSignUp => ops::admin_confirm_sign_up::handle(state, input).await,
        O::CreateGroup => ops::create_group::handle(state, input).await,
        O::GetGroup => ops::get_group::handle(state, input).await,
        O::ListGroups => ops::list_groups::handle(state, input).await,
        O::UpdateGroup => ops::update_group::handle(state, input).await,
        O::DeleteGroup => ops::delete_group::handle(state, input).await,
        O::AdminAddUserToGroup => ops::admin_add_user_to_group::handle(state, input).await,
        O::AdminRemoveUserFromGroup => {
            ops::admin_remove_user_from_group::handle(state, input).await
        }
        O::AdminListGroupsForUser => ops::admin_list_groups_for_user::handle(state, input).await,
        O::ListUsersInGroup => ops::list_users_in_group::handle(state, input).await,
        O::GetCSVHeader => ops::get_csv_header::handle(state, input).await,
        O::CreateUserImportJob => ops::create_user_import_job::handle(state, input).await,
        O::DescribeUserImportJob => ops::describe_user_import_job::handle(state, input).await,
        O::ListUserImportJobs => ops::list_user_import_jobs::handle(state, input).await,
        O::StartUserImportJob => ops::start_user_import_job::handle(state, input).await,
        O::StopUserImportJob => ops::stop_user_import_job::handle(state, input).await,
        O::TagResource => ops::tag_resource::handle(state, input).await,
        O::UntagResource => ops::untag_resource::handle(state, input).await,
        O::ListTagsForResource => ops::list_tags_for_resource::handle(state, input).await,
        O::InitiateAuth => ops::initiate_auth::handle(state, input, caller).await,
        O::AdminInitiateAuth => ops::admin_initiate_auth::handle(state, input, caller).await,
        O::RespondToAuthChallenge => {
            ops::respond_to_auth_challenge::handle(state, input, caller).await
        }
        O::AdminRespondToAuthChallenge => {
            ops::admin_respond_to_auth_challenge::handle(state, input, caller).await
        }
        O::GetTokensFromRefreshToken => {
            ops::get_tokens_from_refresh_token::handle(state, input).await
        }
        O::SignUp => ops::sign_up::handle(state, input).await,
        O::ConfirmSignUp => ops::confirm_sign_up::handle(state, input).await,
        O::ResendConfirmationCode => ops::resend_confirmation_code::handle(state, input).await,
        O::ForgotPassword => ops::forgot_password::handle(state, input).await,
        O::ConfirmForgotPassword => ops::confirm_forgot_password::handle(state, input).await,
        O::GetUser => ops::get_user::handle(state, input).await,
        O::GetUserAuthFactors => ops::get_user_auth_factors::handle(state, input).await,
        O::UpdateUserAttributes => ops::update_user_attributes::handle(state, input).await,
        O::GetUserAttributeVerificationCode => {
            ops::get_user_attribute_verification_code::handle(state, input).await
        }
        O::VerifyUserAttribute => ops::verify_user_attribute::handle(state, input).await,
        O::DeleteUserAttributes => ops::delete_user_attributes::handle(state, input).await,
        O::DeleteUser => ops::delete_user::handle(state, input).await,
        O::ChangePassword => ops::change_password::handle(state, input).await,
        O::GlobalSignOut => ops::global_sign_out::handle(state, input).await,
        O::AdminUserGlobalSignOut => ops::admin_user_global_sign_out::handle(state, input).await,
        O::ListUserSessions => ops::list_user_sessions::handle(state, input).await,
        O::AdminListUserSessions => ops::admin_list_user_sessions::handle(state, input).await,
        O::RevokeUserSession => ops::revoke_user_session::handle(state, input).await,
        O::AdminRevokeUserSession => ops::admin_revoke_user_session::handle(state, input).await,
        O::GetUserPoolSessionConfiguration => {
            ops::get_user_pool_session_configuration::handle(state, input).await
        }
        O::SetUserPoolSessionConfiguration => {
            ops::set_user_pool_session_configuration::handle(state, input).await
        }
        O::GetUserPoolClientSessionConfiguration => {
            ops::get_user_pool_client_session_configuration::handle(state, input).await
        }
        O::SetUserPoolClientSessionConfiguration => {
            ops::set_user_pool_client_session_configuration::handle(state, input).await
        }
        O::RevokeToken => ops::revoke_token::handle(state, input).await,
        O::SetUserPoolMfaConfig => ops::set_user_pool_mfa_config::handle(state, input).await,
        O::GetUserPoolMfaConfig => ops::get_user_pool_mfa_config::handle(state, input).await,
        O::CreateManagedLoginBranding => {
            ops::create_managed_login_branding::handle(state, input).await
        }
        O::CreateResourceServer => ops::create_resource_server::handle(state, input).await,
        O::CreateTerms => ops::create_terms::handle(state, input).await,
        O::CreateUserPoolDomain => ops::create_user_pool_domain::handle(state, input).await,
        O::DeleteManagedLoginBranding => {
            ops::delete_managed_login_branding::handle(state, input).await
        }
        O::DeleteResourceServer => ops::delete_resource_server::handle(state, input).await,
        O::DeleteTerms => ops::delete_terms::handle(state, input).await,
        O::DeleteUserPoolDomain => ops::delete_user_pool_domain::handle(state, input).await,
        O::DescribeManagedLoginBranding => {
            ops::describe_managed_login_branding::handle(state, input).await
        }
        O::DescribeManagedLoginBrandingByClient => {
            ops::describe_managed_login_branding_by_client::handle(state, input).await
        }
        O::DescribeResourceServer => ops::describe_resource_server::handle(state, input).await,
        O::DescribeTerms => ops::describe_terms::handle(state, input).await,
        O::DescribeTermsByClient => ops::describe_terms_by_client::handle(state, input).await,
        O::DescribeUserPoolDomain => ops::describe_user_pool_domain::handle(state, input).await,
        O::GetUICustomization => ops::get_ui_customization::handle(state, input).await,
        O::ListResourceServers => ops::list_resource_servers::handle(state, input).await,
        O::ListTerms => ops::list_terms::handle(state, input).await,
        O::SetUICustomization => ops::set_ui_customization::handle(state, input).await,
        O::UpdateManagedLoginBranding => {
            ops::update_managed_login_branding::handle(state, input).await
        }
        O::UpdateResourceServer => ops::update_resource_server::handle(state, input).await,
        O::UpdateTerms => ops::update_terms::handle(state, input).await,
        O::UpdateUserPoolDomain => ops::update_user_pool_domain::handle(state, input).await,
        O::AssociateSoftwareToken => ops::associate_software_token::handle(state, input).await,
        O::VerifySoftwareToken => ops::verify_software_token::handle(state, input).await,
        O::SetUserMFAPreference => ops::set_user_mfa_preference::handle(state, input).await,
        O::AdminSetUserMFAPreference => {
            ops::admin_set_user_mfa_preference::handle(state, input).await
        }
        O::SetUserSettings => ops::set_user_settings::handle(state, input).await,
        O::AdminSetUserSettings => ops::admin_set_user_settings::handle(state, input).await,
        O::AdminDeleteSoftwareToken => ops::admin_delete_software_token::handle(state, input).await,
        O::ConfirmDevice => ops::confirm_device::handle(state, input).await,
        O::GetDevice => ops::get_device::handle(state, input).await,
        O::AdminGetDevice => ops::admin_get_device::handle(state, input).await,
        O::ListDevices => ops::list_devices::handle(state, input).await,
        O::AdminListDevices => ops::admin_list_devices::handle(state, input).await,
        O::UpdateDeviceStatus => ops::update_device_status::handle(state, input).await,
        O::AdminUpdateDeviceStatus => ops::admin_update_device_status::handle(state, input).await,
        O::ForgetDevice => ops::forget_device::handle(state, input).await,
        O::StartWebAuthnRegistration => {
            ops::start_web_authn_registration::handle(state, input).await
        }
        O::CompleteWebAuthnRegistration => {
            ops::complete_web_authn_registration::handle(state, input).await
        }
        O::ListWebAuthnCredentials => ops::list_web_authn_credentials::handle(state, input).await,
        O::DeleteWebAuthnCredential => ops::delete_web_authn_credential::handle(state, input).await,
        O::AdminForgetDevice => ops::admin_forget_device::handle(state, input).await,
        O::AdminListUserAuthEvents => ops::admin_list_user_auth_events::handle(state, input).await,
        O::AdminUpdateAuthEventFeedback => {
            ops::admin_update_auth_event_feedback::handle(state, input).await
        }
        O::UpdateAuthEventFeedback => ops::update_auth_event_feedback::handle(state, input).await,
        O::SetRiskConfiguration => ops::set_risk_configuration::handle(state, input).await,
        O::DescribeRiskConfiguration => {
            ops::describe_risk_configuration::handle(state, input).await
        }
        other => Err(ApiError::bad_request(
            "UnsupportedOperationException",
            format!("Tessera does not implement {} yet.", other.name()),
        )
        .into()),
    }
}
