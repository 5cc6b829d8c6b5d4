//! SigV4 for signed operations: verified against configured keys, or — in the
//! local development mode — only checked to be well formed.

use axum::body::Bytes;
use http::request::Parts;
use tessera_crypto::sigv4::{self, RequestToVerify, SigV4Error};

use super::ApiError;
use crate::router::{AdminAuth, AppState};

/// awsJson services answer signature failures with 400, like other client errors.
fn refused(e: SigV4Error) -> ApiError {
    ApiError::bad_request(e.aws_error_type(), e.to_string())
}

/// Checks a request signed for the service `signing_name`; the access key
/// id that signed it.
pub fn check(
    state: &AppState,
    parts: &Parts,
    body: &Bytes,
    signing_name: &str,
) -> Result<String, ApiError> {
    let headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let request = RequestToVerify {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body,
        service: signing_name,
    };
    let authorization = request.authorization().map_err(refused)?;
    match &state.admin_auth {
        AdminAuth::AnyWellFormedSignature => {
            sigv4::check_well_formed(&request, &authorization).map_err(refused)?;
        }
        AdminAuth::Keys(keys) => {
            let secret = keys
                .get(&authorization.access_key_id)
                .ok_or_else(|| refused(SigV4Error::UnrecognizedClient))?;
            let now = state.clock.now().millis() / 1000;
            sigv4::verify(&request, &authorization, secret, now).map_err(refused)?;
        }
    }
    Ok(authorization.access_key_id.clone())
}
