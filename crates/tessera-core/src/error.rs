//! The core error type. Each variant names what happened; the HTTP edge maps
//! them to Cognito's `__type` and message in exactly one place.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidParameter(String),
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("User does not exist.")]
    UserNotFound,
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
