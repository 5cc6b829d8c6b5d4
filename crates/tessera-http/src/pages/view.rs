//! The pages as templates: one form page that every step fills in, and the
//! error page; both rendered into responses with the page headers.

use askama::Template;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use tessera_core::services::branding::managed_look::SignUpTerms;

use super::context::{Chrome, PageContext};
use super::fields::Field;
use super::headers::{self, PagePolicy};

/// A link under a form, with the words that lead to it.
#[derive(Debug, Clone)]
pub struct Link {
    pub lead: Option<String>,
    pub text: String,
    pub href: String,
}

impl Link {
    pub fn new(text: &str, href: String) -> Link {
        Link {
            lead: None,
            text: text.to_owned(),
            href,
        }
    }

    pub fn led(lead: &str, text: &str, href: String) -> Link {
        Link {
            lead: Some(lead.to_owned()),
            ..Link::new(text, href)
        }
    }
}

/// A hidden form field.
#[derive(Debug, Clone)]
pub struct Hidden {
    pub name: String,
    pub value: String,
}

/// A group of radio buttons.
#[derive(Debug, Clone)]
pub struct Choices {
    pub name: String,
    pub legend: String,
    pub options: Vec<Choice>,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
}

/// An authenticator app's key, as a QR code and as text.
#[derive(Debug, Clone)]
pub struct Qr {
    /// A `data:image/svg+xml` URI.
    pub image: String,
    /// The base32 key, in groups of four for reading.
    pub secret: String,
}

/// A second submit button in the same form (its name and value say which
/// button was pressed).
#[derive(Debug, Clone)]
pub struct Alternate {
    pub name: String,
    pub value: String,
    pub label: String,
}

/// Everything a form page shows.
#[derive(Debug, Clone, Default)]
pub struct FormView {
    /// The page's title and its one h1.
    pub heading: String,
    pub lead: Option<String>,
    /// Something that went well (an account confirmed, a code sent).
    pub notice: Option<String>,
    /// A refusal that belongs to no one field.
    pub error: Option<String>,
    pub action: String,
    pub hidden: Vec<Hidden>,
    pub choices: Option<Choices>,
    pub qr: Option<Qr>,
    pub fields: Vec<Field>,
    pub submit: String,
    pub alternate: Option<Alternate>,
    /// The terms a sign-up accepts, under its button.
    pub terms: Option<SignUpTerms>,
    pub links: Vec<Link>,
}

impl FormView {
    pub fn hide(&mut self, name: &str, value: &str) {
        self.hidden.push(Hidden {
            name: name.to_owned(),
            value: value.to_owned(),
        });
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage<'a> {
    title: &'a str,
    chrome: &'a Chrome,
    form: &'a FormView,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    chrome: &'a Chrome,
    message: &'a str,
    back: Option<&'a Link>,
}

fn html(status: StatusCode, body: Result<String, askama::Error>, policy: &PagePolicy) -> Response {
    let mut response = match body {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(cause = %e, "rendering a hosted page");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    headers::apply(&mut response, policy);
    response
}

/// A form page of a sign-in, with the CSRF cookie when the browser has none yet.
pub fn form_page(
    ctx: &PageContext,
    status: StatusCode,
    form: &FormView,
    policy: PagePolicy,
) -> Response {
    let page = FormPage {
        title: &form.heading,
        chrome: &ctx.chrome,
        form,
        csrf: &ctx.csrf.value,
    };
    let mut response = html(status, page.render(), &policy);
    if let Some(cookie) = &ctx.csrf.set_cookie
        && let Ok(value) = HeaderValue::from_str(cookie)
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// An error page in a sign-in's look, with a way back.
pub fn sign_in_error(
    ctx: &PageContext,
    status: StatusCode,
    title: &str,
    message: &str,
    back: Link,
) -> Response {
    let page = ErrorPage {
        title,
        chrome: &ctx.chrome,
        message,
        back: Some(&back),
    };
    html(status, page.render(), &ctx.policy())
}

/// An error page outside any sign-in.
pub fn plain_error(status: StatusCode, message: &str) -> Response {
    let page = ErrorPage {
        title: "Something went wrong",
        chrome: &Chrome::plain(),
        message,
        back: None,
    };
    html(status, page.render(), &PagePolicy::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::fields::settle;

    #[test]
    fn fields_render_labelled_escaped_and_bound_to_their_errors() {
        let mut fields = vec![
            Field::text("username", "Username").with_value("\"><script>alert(1)</script>"),
            Field::text("password", "Password"),
        ];
        settle(
            &mut fields,
            Some(("password", "Incorrect <username> or password.".into())),
        );
        let form = FormView {
            heading: "Sign in".into(),
            action: "/login?client_id=a&state=b".into(),
            fields,
            submit: "Sign in".into(),
            ..FormView::default()
        };
        let html = FormPage {
            title: "Sign in",
            chrome: &Chrome::plain(),
            form: &form,
            csrf: "token",
        }
        .render()
        .expect("renders");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains(r#"<label class="label label-customizable" for="field-password">"#));
        assert!(html.contains(r#"aria-invalid="true" aria-describedby="field-password-error""#));
        assert!(
            html.contains(
                r#"id="field-password-error">Incorrect &#60;username&#62; or password.</p>"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"name="_csrf" value="token""#));
        assert_eq!(html.matches("<h1").count(), 1);
        assert!(html.contains(" autofocus"));
    }
}
