//! Static files embedded in the binary, served at `/assets/NAME`: the dashboard works on an
//! intranet with no internet (no CDN, no external font). Vendored npm libraries sit in
//! `assets/vendor/<package>/` with their licence.

use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $type:literal) => {
        Asset {
            name: $name,
            content_type: $type,
            bytes: include_bytes!(concat!("../assets/", $name)),
        }
    };
}

static ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("map.css", "text/css; charset=utf-8"),
    asset!("map.js", "text/javascript; charset=utf-8"),
    asset!(
        "vendor/cytoscape/cytoscape.min.js",
        "text/javascript; charset=utf-8"
    ),
];

/// The embedded file named `name`.
pub fn asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// Every embedded file.
pub fn all() -> &'static [Asset] {
    ASSETS
}

impl Asset {
    /// A strong validator of the content, for `ETag` and revalidation.
    pub fn etag(&self) -> &'static str {
        static TAGS: OnceLock<Vec<String>> = OnceLock::new();
        let tags = TAGS.get_or_init(|| {
            ASSETS
                .iter()
                .map(|a| {
                    let digest = Sha256::digest(a.bytes);
                    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                    format!("\"{hex}\"")
                })
                .collect()
        });
        let index = ASSETS
            .iter()
            .position(|a| std::ptr::eq(a, self))
            .unwrap_or_default();
        tags.get(index).map(String::as_str).unwrap_or("\"\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_and_tagged() {
        for a in all() {
            assert!(!a.bytes.is_empty(), "{}", a.name);
            assert!(std::ptr::eq(asset(a.name).expect("found"), a));
            assert_eq!(a.etag().len(), 26, "{}", a.name);
        }
        assert!(asset("../Cargo.toml").is_none());
    }
}
