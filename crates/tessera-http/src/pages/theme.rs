//! A managed-login style as the CSS the pages carry: custom properties that
//! tessera.css reads, for the color modes the style shows. Every value comes
//! from the core already checked (colors `#rrggbbaa`, radii in pixels,
//! images as base64), so nothing from the settings can end a declaration.

use std::fmt::Write as _;

use tessera_core::services::branding::managed_look::{ColorScheme, ManagedLook, Themed};

fn properties(css: &mut String, themed: &[Themed]) {
    for t in themed {
        let _ = write!(css, "--{}:{};", t.role, t.value);
    }
}

pub fn theme_css(look: &ManagedLook) -> String {
    let mut css = String::from(":root{");
    let (shown, scheme) = match look.scheme {
        ColorScheme::Dark => (&look.dark, "dark"),
        ColorScheme::Light | ColorScheme::Dynamic => (&look.light, "light"),
    };
    let _ = write!(css, "color-scheme:{scheme};");
    properties(&mut css, shown);
    properties(&mut css, &look.shapes);
    css.push('}');
    if look.scheme == ColorScheme::Dynamic {
        css.push_str("@media (prefers-color-scheme: dark){:root{color-scheme:dark;");
        properties(&mut css, &look.dark);
        css.push_str("}}");
    }
    let sets_canvas = shown.iter().any(|t| t.role == "canvas");
    match &look.background {
        Some(image) => {
            let _ = write!(
                css,
                "body{{background-image:url(\"{}\");background-size:cover;background-position:center;}}",
                image.data_uri()
            );
        }
        // The page's own color, without Tessera's tint over it.
        None if sets_canvas => css.push_str("body{background-image:none;}"),
        None => {}
    }
    css
}

#[cfg(test)]
mod tests {
    use tessera_core::services::branding::managed_look::managed_look;

    use super::*;

    #[test]
    fn a_dynamic_style_has_both_modes() {
        let settings = serde_json::json!({
            "categories": {"global": {"colorSchemeMode": "DYNAMIC"}},
            "components": {"pageBackground": {
                "lightMode": {"color": "ffffffff"},
                "darkMode": {"color": "0f1b2aff"}
            }},
            "componentClasses": {"buttons": {"borderRadius": 4}}
        });
        assert_eq!(
            theme_css(&managed_look(&settings, &[])),
            ":root{color-scheme:light;--canvas:#ffffffff;--button-radius:4px;}\
             @media (prefers-color-scheme: dark){:root{color-scheme:dark;--canvas:#0f1b2aff;}}\
             body{background-image:none;}"
        );
    }
}
