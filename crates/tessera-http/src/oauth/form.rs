//! A form-encoded request body as a map, refused (RFC 6749 `invalid_request`)
//! when it is not `application/x-www-form-urlencoded` or repeats a field.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};

use super::error::OAuthError;

pub struct Form(pub BTreeMap<String, String>);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let form_type = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !form_type {
            return Err(OAuthError::invalid_request(
                "The body must be application/x-www-form-urlencoded.",
            )
            .into_response());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| OAuthError::invalid_request("The body is not a form.").into_response())?;
        let mut form = BTreeMap::new();
        for (name, value) in pairs {
            // RFC 6749 §3.2: parameters must not be included more than once.
            if form.insert(name.clone(), value).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "The parameter {name} is repeated."
                ))
                .into_response());
            }
        }
        Ok(Form(form))
    }
}
