//! What the pages of a managed-login (version 2) domain take from the app
//! client's branding style: the colors, corner radii and images of the
//! branding editor's settings document, read defensively (a value that is
//! not what the editor writes is ignored, never passed on), and the sign-up
//! page's links to the client's terms documents.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::error::Result;
use crate::ids::{ClientId, UserPoolId};
use crate::services::Services;

/// Which color modes the pages show (`categories.global.colorSchemeMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScheme {
    Light,
    Dark,
    /// The browser's preference.
    Dynamic,
}

/// A role on the pages and the value the style gives it. Colors are
/// `#rrggbbaa`, radii whole pixels: nothing else can come out of here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Themed {
    pub role: &'static str,
    pub value: String,
}

/// An image of the style, ready for a `data:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandImage {
    pub content_type: &'static str,
    pub base64: String,
}

impl BrandImage {
    pub fn data_uri(&self) -> String {
        format!("data:{};base64,{}", self.content_type, self.base64)
    }
}

/// How a client's pages look under its managed-login style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedLook {
    pub scheme: ColorScheme,
    pub light: Vec<Themed>,
    pub dark: Vec<Themed>,
    /// Radii, the same in both modes.
    pub shapes: Vec<Themed>,
    /// The form's logo (`FORM_LOGO`), when the style shows it.
    pub logo: Option<BrandImage>,
    /// The page's background image (`PAGE_BACKGROUND`), when enabled.
    pub background: Option<BrandImage>,
    pub favicon: Option<BrandImage>,
}

/// The sign-up page's links: Cognito shows them once a client has both
/// documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpTerms {
    pub terms_of_use: String,
    pub privacy_policy: String,
}

/// Where each color role is in the settings, below `…/{lightMode|darkMode}`.
const COLORS: &[(&str, &[&str], &str)] = &[
    ("canvas", &["components", "pageBackground"], "color"),
    ("paper", &["components", "form"], "backgroundColor"),
    ("card-line", &["components", "form"], "borderColor"),
    (
        "brand",
        &["components", "primaryButton"],
        "defaults/backgroundColor",
    ),
    (
        "on-brand",
        &["components", "primaryButton"],
        "defaults/textColor",
    ),
    (
        "brand-strong",
        &["components", "primaryButton"],
        "hover/backgroundColor",
    ),
    (
        "secondary-bg",
        &["components", "secondaryButton"],
        "defaults/backgroundColor",
    ),
    (
        "secondary-line",
        &["components", "secondaryButton"],
        "defaults/borderColor",
    ),
    (
        "secondary-ink",
        &["components", "secondaryButton"],
        "defaults/textColor",
    ),
    ("heading", &["components", "pageText"], "headingColor"),
    ("ink", &["components", "pageText"], "bodyColor"),
    ("ink-soft", &["components", "pageText"], "descriptionColor"),
    (
        "danger-tint",
        &["components", "alert"],
        "error/backgroundColor",
    ),
    ("danger-line", &["components", "alert"], "error/borderColor"),
    (
        "field-bg",
        &["componentClasses", "input"],
        "defaults/backgroundColor",
    ),
    (
        "line",
        &["componentClasses", "input"],
        "defaults/borderColor",
    ),
    ("label", &["componentClasses", "inputLabel"], "textColor"),
    (
        "ink-faint",
        &["componentClasses", "inputDescription"],
        "textColor",
    ),
    ("link", &["componentClasses", "link"], "defaults/textColor"),
    (
        "link-hover",
        &["componentClasses", "link"],
        "hover/textColor",
    ),
    ("focus", &["componentClasses", "focusState"], "borderColor"),
    ("line-soft", &["componentClasses", "divider"], "borderColor"),
];

/// Where each radius is, and its role.
const RADII: &[(&str, &[&str])] = &[
    ("card-radius", &["components", "form", "borderRadius"]),
    ("radius", &["componentClasses", "input", "borderRadius"]),
    (
        "button-radius",
        &["componentClasses", "buttons", "borderRadius"],
    ),
];

fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

/// The editor writes `RRGGBBAA`; `RRGGBB` is taken as opaque.
fn color(value: &Value) -> Option<String> {
    let hex = value.as_str()?;
    let hex_digits = hex.bytes().all(|b| b.is_ascii_hexdigit());
    match hex.len() {
        8 if hex_digits => Some(format!("#{}", hex.to_ascii_lowercase())),
        6 if hex_digits => Some(format!("#{}ff", hex.to_ascii_lowercase())),
        _ => None,
    }
}

fn radius(value: &Value) -> Option<String> {
    let px = value.as_f64().filter(|r| (0.0..=100.0).contains(r))?;
    Some(format!("{}px", px.round() as u32))
}

fn colors(settings: &Value, mode: &str) -> Vec<Themed> {
    COLORS
        .iter()
        .filter_map(|(role, base, rest)| {
            let mut path: Vec<&str> = base.to_vec();
            path.push(mode);
            path.extend(rest.split('/'));
            at(settings, &path)
                .and_then(color)
                .map(|value| Themed { role, value })
        })
        .collect()
}

fn enabled(settings: &Value, path: &[&str]) -> bool {
    at(settings, path).and_then(Value::as_bool).unwrap_or(false)
}

fn content_type(extension: &str) -> Option<&'static str> {
    Some(match extension {
        "PNG" => "image/png",
        "JPEG" => "image/jpeg",
        "SVG" => "image/svg+xml",
        "ICO" => "image/x-icon",
        "WEBP" => "image/webp",
        _ => return None,
    })
}

/// The asset of `categories` for the mode shown, preferring one made for
/// that mode over a browser-adaptive one.
fn asset(assets: &[Value], categories: &[&str], mode: &str) -> Option<BrandImage> {
    let usable = |a: &&Value, wanted: &str| {
        a.get("ColorMode").and_then(Value::as_str) == Some(wanted)
            && a.get("Category")
                .and_then(Value::as_str)
                .is_some_and(|c| categories.contains(&c))
    };
    let found = assets
        .iter()
        .find(|a| usable(a, mode))
        .or_else(|| assets.iter().find(|a| usable(a, "DYNAMIC")))?;
    let content_type = content_type(found.get("Extension")?.as_str()?)?;
    let base64 = found.get("Bytes")?.as_str()?;
    STANDARD.decode(base64).ok()?;
    Some(BrandImage {
        content_type,
        base64: base64.to_owned(),
    })
}

/// The look a style's settings and assets give the pages.
pub fn managed_look(settings: &Value, assets: &[Value]) -> ManagedLook {
    let scheme =
        match at(settings, &["categories", "global", "colorSchemeMode"]).and_then(Value::as_str) {
            Some("DARK") => ColorScheme::Dark,
            Some("DYNAMIC") => ColorScheme::Dynamic,
            _ => ColorScheme::Light,
        };
    // Images are not switched by the browser's preference: a dynamic
    // scheme shows the light ones.
    let image_mode = if scheme == ColorScheme::Dark {
        "DARK"
    } else {
        "LIGHT"
    };
    let shapes = RADII
        .iter()
        .filter_map(|(role, path)| {
            at(settings, path)
                .and_then(radius)
                .map(|value| Themed { role, value })
        })
        .collect();
    let logo = enabled(settings, &["components", "form", "logo", "enabled"])
        .then(|| asset(assets, &["FORM_LOGO"], image_mode))
        .flatten();
    let background = enabled(
        settings,
        &["components", "pageBackground", "image", "enabled"],
    )
    .then(|| asset(assets, &["PAGE_BACKGROUND"], image_mode))
    .flatten();
    ManagedLook {
        scheme,
        light: colors(settings, "lightMode"),
        dark: colors(settings, "darkMode"),
        shapes,
        logo,
        background,
        favicon: asset(assets, &["FAVICON_SVG", "FAVICON_ICO"], image_mode),
    }
}

/// The link of a terms document for the pages' language (English), else
/// its default; only a web address becomes a link.
fn terms_link(links: &std::collections::BTreeMap<String, String>) -> Option<String> {
    links
        .get("cognito:english")
        .or_else(|| links.get("cognito:default"))
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        .cloned()
}

impl Services {
    /// The look of `client`'s pages on a managed-login domain: none when
    /// it has no style or its style is Cognito's own.
    pub async fn managed_look(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
    ) -> Result<Option<ManagedLook>> {
        let style = match self
            .describe_managed_login_branding_by_client(pool_id, client_id)
            .await
        {
            Ok(style) => style,
            Err(crate::error::Error::ResourceNotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        if style.use_cognito_provided_values {
            return Ok(None);
        }
        let settings = style.settings.unwrap_or(Value::Null);
        Ok(Some(managed_look(&settings, &style.assets)))
    }

    /// The terms documents the sign-up page links to, when the client has
    /// both kinds (a name starts with the kind).
    pub async fn sign_up_terms(
        &self,
        pool_id: &UserPoolId,
        client_id: &ClientId,
    ) -> Result<Option<SignUpTerms>> {
        let mut terms_of_use = None;
        let mut privacy_policy = None;
        for terms in self.terms_of_client(pool_id, client_id).await? {
            let slot = if terms.terms_name.starts_with("terms-of-use") {
                &mut terms_of_use
            } else if terms.terms_name.starts_with("privacy-policy") {
                &mut privacy_policy
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = terms_link(&terms.links);
            }
        }
        Ok(terms_of_use
            .zip(privacy_policy)
            .map(|(terms_of_use, privacy_policy)| SignUpTerms {
                terms_of_use,
                privacy_policy,
            }))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn role<'a>(themed: &'a [Themed], role: &str) -> Option<&'a str> {
        themed
            .iter()
            .find(|t| t.role == role)
            .map(|t| t.value.as_str())
    }

    #[test]
    fn colors_radii_and_scheme_come_from_the_editors_document() {
        let settings = json!({
            "categories": {"global": {"colorSchemeMode": "DYNAMIC"}},
            "components": {
                "primaryButton": {
                    "lightMode": {"defaults": {"backgroundColor": "B0306AFF", "textColor": "ffffffff"}},
                    "darkMode": {"defaults": {"backgroundColor": "f0a0c0ff"}}
                },
                "pageBackground": {"lightMode": {"color": "fdf2f8"}},
                "form": {"borderRadius": 2.0}
            },
            "componentClasses": {"input": {"borderRadius": 12.4}}
        });
        let look = managed_look(&settings, &[]);
        assert_eq!(look.scheme, ColorScheme::Dynamic);
        assert_eq!(role(&look.light, "brand"), Some("#b0306aff"));
        assert_eq!(role(&look.light, "on-brand"), Some("#ffffffff"));
        assert_eq!(role(&look.light, "canvas"), Some("#fdf2f8ff"));
        assert_eq!(role(&look.dark, "brand"), Some("#f0a0c0ff"));
        assert_eq!(role(&look.shapes, "card-radius"), Some("2px"));
        assert_eq!(role(&look.shapes, "radius"), Some("12px"));
    }

    #[test]
    fn values_that_are_not_the_editors_are_ignored() {
        let settings = json!({
            "components": {
                "primaryButton": {"lightMode": {"defaults": {
                    "backgroundColor": "red;}body{display:none",
                    "textColor": 16777215
                }}},
                "form": {"borderRadius": 1e9}
            }
        });
        let look = managed_look(&settings, &[]);
        assert!(look.light.is_empty(), "{:?}", look.light);
        assert!(look.shapes.is_empty());
        assert_eq!(managed_look(&Value::Null, &[]).scheme, ColorScheme::Light);
    }

    #[test]
    fn images_are_taken_when_shown_for_the_mode_shown() {
        let png = STANDARD.encode(b"\x89PNG");
        let assets = vec![
            json!({"Category": "FORM_LOGO", "ColorMode": "DARK", "Extension": "PNG", "Bytes": "AAAA"}),
            json!({"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": png}),
            json!({"Category": "PAGE_BACKGROUND", "ColorMode": "DYNAMIC", "Extension": "SVG", "Bytes": "PHN2Zy8+"}),
            json!({"Category": "FAVICON_ICO", "ColorMode": "LIGHT", "Extension": "GIF", "Bytes": png}),
        ];
        let hidden = managed_look(&json!({}), &assets);
        assert_eq!((hidden.logo, hidden.background), (None, None));
        assert_eq!(hidden.favicon, None, "not an extension Cognito takes");

        let shown = json!({"components": {
            "form": {"logo": {"enabled": true}},
            "pageBackground": {"image": {"enabled": true}}
        }});
        let look = managed_look(&shown, &assets);
        assert_eq!(
            look.logo.expect("the logo").data_uri(),
            format!("data:image/png;base64,{png}")
        );
        assert_eq!(
            look.background.expect("the background").data_uri(),
            "data:image/svg+xml;base64,PHN2Zy8+"
        );
    }
}
