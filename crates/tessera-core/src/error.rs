//! The core error type. Each variant names what happened; the HTTP edge maps
//! them to Cognito's `__type` and message in exactly one place.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{0}")]
    ResourceNotFound(String),
    /// The message differs by operation (see `services::existence`).
    #[error("{0}")]
    UserNotFound(String),
    #[error("{0}")]
    UsernameExists(String),
    #[error("{0}")]
    AliasExists(String),
    #[error("{0}")]
    GroupExists(String),
    #[error("{0}")]
    InvalidPassword(String),
    #[error("{0}")]
    NotAuthorized(String),
    #[error("{0}")]
    UnsupportedUserState(String),
    #[error("{0}")]
    CodeDeliveryFailure(String),
    #[error("{0}")]
    LimitExceeded(String),
    #[error("{0}")]
    InvalidOAuthFlow(String),
    /// An app client names a scope no resource server of its pool defines.
    #[error("{0}")]
    ScopeDoesNotExist(String),
    /// The app client already has a managed-login branding style.
    #[error("{0}")]
    ManagedLoginBrandingExists(String),
    /// The app client already has terms documents of that name.
    #[error("{0}")]
    TermsExists(String),
    /// Over a request-rate quota.
    #[error("{0}")]
    TooManyRequests(String),
    /// An OAuth endpoint's refusal, in RFC 6749's terms.
    #[error("{0}")]
    OAuth(crate::services::oauth::OAuthFault),
    /// The resource is not in a state that allows the operation (an import
    /// job started twice, stopped after it ended).
    #[error("{0}")]
    PreconditionNotMet(String),
    /// The operation needs the pool's advanced security (UserPoolAddOns) on.
    #[error("{0}")]
    UserPoolAddOnNotEnabled(String),
    #[error("User is not confirmed.")]
    UserNotConfirmed,
    #[error("Password reset required for the user")]
    PasswordResetRequired,
    #[error("{0}")]
    CodeMismatch(String),
    #[error("{0}")]
    ExpiredCode(String),
    #[error("{0}")]
    RefreshTokenReuse(String),
    /// VerifySoftwareToken's wrong code.
    #[error("{0}")]
    EnableSoftwareTokenMfa(String),
    #[error("{0}")]
    SoftwareTokenMfaNotFound(String),
    /// ConfirmDevice of a device already confirmed.
    #[error("{0}")]
    DeviceKeyExists(String),
    /// The caller is not the client the token belongs to (RevokeToken).
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    UnsupportedTokenType(String),
    #[error("{0}")]
    UnsupportedOperation(String),
    /// The operation needs a feature the pool has turned off (session
    /// tracking for the session operations).
    #[error("{0}")]
    OperationNotEnabled(String),
    /// The pool's feature plan (`UserPoolTier`) does not include the feature.
    #[error("{0}")]
    FeatureUnavailableInTier(String),
    /// A trigger function failed (threw).
    #[error("{0}")]
    UserLambdaValidation(String),
    /// A trigger function could not be run or did not answer in time.
    #[error("{0}")]
    UnexpectedLambda(String),
    /// A trigger function's answer is not an event Cognito can read.
    #[error("{0}")]
    InvalidLambdaResponse(String),
    /// Identity pools: the change conflicts with what exists (a login held by
    /// another identity, a developer provider name already set).
    #[error("{0}")]
    ResourceConflict(String),
    /// Identity pools: no role, or the credential source refused the role.
    #[error("{0}")]
    InvalidIdentityPoolConfiguration(String),
    /// Identity pools: a provider or the credential source did not answer.
    #[error("{0}")]
    ExternalService(String),
    /// Identity pools: the developer user id belongs to another identity.
    #[error("{0}")]
    DeveloperUserAlreadyRegistered(String),
    /// A passkey operation refused for a reason Cognito names.
    #[error("{0}")]
    WebAuthn(crate::domain::webauthn::WebAuthnFault),
    /// Anything the caller cannot act on; the cause is logged, never returned.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        // Callers translate NotFound / Conflict where they know what was missing;
        // anything reaching this conversion is unexpected.
        Error::Internal(e.to_string())
    }
}

impl From<tessera_crypto::seal::SealError> for Error {
    fn from(e: tessera_crypto::seal::SealError) -> Self {
        Error::Internal(format!("sealing: {e}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
