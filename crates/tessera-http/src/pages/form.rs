//! A form posted from one of the pages: its fields, once the request is
//! known to come from a page of ours (its CSRF token checked).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use super::{csrf, error_page};

/// The fields of a posted form; a name sent twice keeps its first value.
pub struct PostedForm(pub BTreeMap<String, String>);

impl PostedForm {
    /// A field's value, empty when it was not sent.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// A field's value with surrounding white space removed: what a user
    /// means by a username or a code pasted with a trailing space.
    pub fn trimmed(&self, name: &str) -> &str {
        self.get(name).trim()
    }

    /// A field's value, or None when it was empty or not sent.
    pub fn optional(&self, name: &str) -> Option<&str> {
        Some(self.trimmed(name)).filter(|v| !v.is_empty())
    }
}

fn refused() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "This form could not be accepted: it expired or was not sent from this page. Go back, reload the page and try again.",
    )
}

impl<S: Send + Sync> FromRequest<S> for PostedForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let is_form = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(refused());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| refused())?;
        let mut fields = BTreeMap::new();
        for (name, value) in pairs {
            fields.entry(name).or_insert(value);
        }
        if !csrf::accepts(&headers, fields.get(csrf::FIELD_NAME).map(String::as_str)) {
            tracing::info!("a hosted page's form came without its CSRF token");
            return Err(refused());
        }
        Ok(PostedForm(fields))
    }
}
