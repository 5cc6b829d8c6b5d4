//! The one place core errors become the user-pool API's (Cognito's) error
//! types and messages.

use tessera_core::Error;

use crate::awsjson::ApiError;

pub(crate) fn api_error(e: Error) -> ApiError {
    let (kind, message) = match e {
        Error::InvalidParameter(m) => ("InvalidParameterException", m),
        Error::ResourceNotFound(m) => ("ResourceNotFoundException", m),
        Error::UserNotFound(m) => ("UserNotFoundException", m),
        Error::UsernameExists(m) => ("UsernameExistsException", m),
        Error::AliasExists(m) => ("AliasExistsException", m),
        Error::GroupExists(m) => ("GroupExistsException", m),
        Error::InvalidPassword(m) => ("InvalidPasswordException", m),
        Error::NotAuthorized(m) => ("NotAuthorizedException", m),
        Error::UnsupportedUserState(m) => ("UnsupportedUserStateException", m),
        Error::CodeDeliveryFailure(m) => ("CodeDeliveryFailureException", m),
        Error::LimitExceeded(m) => ("LimitExceededException", m),
        Error::InvalidOAuthFlow(m) => ("InvalidOAuthFlowException", m),
        Error::ScopeDoesNotExist(m) => ("ScopeDoesNotExistException", m),
        Error::ManagedLoginBrandingExists(m) => ("ManagedLoginBrandingExistsException", m),
        Error::TermsExists(m) => ("TermsExistsException", m),
        Error::TooManyRequests(m) => ("TooManyRequestsException", m),
        // Only the OAuth endpoints refuse this way; an API call never does.
        Error::OAuth(fault) => ("InvalidParameterException", fault.to_string()),
        Error::PreconditionNotMet(m) => ("PreconditionNotMetException", m),
        Error::UserPoolAddOnNotEnabled(m) => ("UserPoolAddOnNotEnabledException", m),
        Error::UserNotConfirmed => ("UserNotConfirmedException", "User is not confirmed.".into()),
        Error::PasswordResetRequired => (
            "PasswordResetRequiredException",
            "Password reset required for the user".into(),
        ),
        Error::CodeMismatch(m) => ("CodeMismatchException", m),
        Error::ExpiredCode(m) => ("ExpiredCodeException", m),
        Error::RefreshTokenReuse(m) => ("RefreshTokenReuseException", m),
        Error::EnableSoftwareTokenMfa(m) => ("EnableSoftwareTokenMFAException", m),
        Error::SoftwareTokenMfaNotFound(m) => ("SoftwareTokenMFANotFoundException", m),
        Error::DeviceKeyExists(m) => ("DeviceKeyExistsException", m),
        Error::Unauthorized(m) => ("UnauthorizedException", m),
        Error::UnsupportedTokenType(m) => ("UnsupportedTokenTypeException", m),
        Error::UnsupportedOperation(m) => ("UnsupportedOperationException", m),
        Error::OperationNotEnabled(m) => ("OperationNotEnabledException", m),
        Error::FeatureUnavailableInTier(m) => ("FeatureUnavailableInTierException", m),
        Error::UserLambdaValidation(m) => ("UserLambdaValidationException", m),
        Error::UnexpectedLambda(m) => ("UnexpectedLambdaException", m),
        Error::InvalidLambdaResponse(m) => ("InvalidLambdaResponseException", m),
        // Identity-pool refusals: no user-pool operation makes them.
        Error::ResourceConflict(m)
        | Error::InvalidIdentityPoolConfiguration(m)
        | Error::ExternalService(m)
        | Error::DeveloperUserAlreadyRegistered(m) => ("InvalidParameterException", m),
        Error::WebAuthn(fault) => (fault.error_type(), fault.to_string()),
        Error::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            return ApiError::internal("Internal server error.");
        }
    };
    ApiError::bad_request(kind, message)
}
