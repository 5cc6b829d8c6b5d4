//! The one place core errors become the identity-pool API's error types
//! and messages. The service has fewer types than the user-pool API: what
//! it lacks is said as the nearest one it has.

use tessera_core::Error;

use crate::awsjson::ApiError;

pub(crate) fn api_error(e: Error) -> ApiError {
    let (kind, message) = match e {
        Error::ResourceNotFound(m) | Error::UserNotFound(m) => ("ResourceNotFoundException", m),
        Error::NotAuthorized(m) | Error::Unauthorized(m) => ("NotAuthorizedException", m),
        Error::ResourceConflict(m)
        | Error::UsernameExists(m)
        | Error::AliasExists(m)
        | Error::GroupExists(m)
        | Error::ManagedLoginBrandingExists(m)
        | Error::TermsExists(m)
        | Error::DeviceKeyExists(m) => ("ResourceConflictException", m),
        Error::LimitExceeded(m) => ("LimitExceededException", m),
        Error::TooManyRequests(m) => ("TooManyRequestsException", m),
        Error::InvalidIdentityPoolConfiguration(m) => {
            ("InvalidIdentityPoolConfigurationException", m)
        }
        Error::ExternalService(m) => ("ExternalServiceException", m),
        Error::DeveloperUserAlreadyRegistered(m) => ("DeveloperUserAlreadyRegisteredException", m),
        Error::InvalidParameter(m)
        | Error::InvalidPassword(m)
        | Error::UnsupportedUserState(m)
        | Error::CodeDeliveryFailure(m)
        | Error::InvalidOAuthFlow(m)
        | Error::ScopeDoesNotExist(m)
        | Error::PreconditionNotMet(m)
        | Error::UserPoolAddOnNotEnabled(m)
        | Error::CodeMismatch(m)
        | Error::ExpiredCode(m)
        | Error::RefreshTokenReuse(m)
        | Error::EnableSoftwareTokenMfa(m)
        | Error::SoftwareTokenMfaNotFound(m)
        | Error::UnsupportedTokenType(m)
        | Error::UnsupportedOperation(m)
        | Error::OperationNotEnabled(m)
        | Error::FeatureUnavailableInTier(m)
        | Error::UserLambdaValidation(m)
        | Error::UnexpectedLambda(m)
        | Error::InvalidLambdaResponse(m) => ("InvalidParameterException", m),
        // Only user-pool operations refuse this way.
        Error::OAuth(fault) => ("InvalidParameterException", fault.to_string()),
        Error::WebAuthn(fault) => ("InvalidParameterException", fault.to_string()),
        Error::UserNotConfirmed | Error::PasswordResetRequired => {
            ("NotAuthorizedException", e.to_string())
        }
        Error::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            return ApiError::internal("Internal server error.");
        }
    };
    ApiError::bad_request(kind, message)
}
