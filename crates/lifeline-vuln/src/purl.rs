//! Package URLs (parsed by the `packageurl` crate) and the one key a component and an OSV
//! `affected[].package` are both reduced to: (OSV ecosystem, name normalised the way that
//! ecosystem compares names).
//!
//! Normalisation rules (each ecosystem's own):
//! - PyPI: PEP 503, lower case with runs of `-`, `_`, `.` made one `-`;
//! - Maven: `group:artifact` (purl namespace and name), case kept;
//! - npm: `@scope/name` (purl namespace `@scope`), lower case;
//! - Go: the module path, purl namespace and name joined with `/`, case kept;
//! - Packagist: `vendor/name`, lower case; crates.io, NuGet, Hex, Pub: lower case;
//! - Debian, Ubuntu, Alpine and other distributions: the package name, lower case.

use std::fmt;

use packageurl::PackageUrl;

/// A parsed package URL, owning its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// `npm`, `pypi`, `maven`, `golang`, ...
    pub ty: String,
    /// Namespace (Maven group, npm scope, Go module path prefix, distribution).
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
    /// Qualifiers, sorted by key.
    pub qualifiers: Vec<(String, String)>,
}

/// A purl that does not parse; the message may quote the purl, so it is shown escaped
/// and cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", lifeline_text::Excerpt(.0))]
pub struct PurlError(String);

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`.
    pub fn parse(text: &str) -> Result<Purl, PurlError> {
        let parsed: PackageUrl<'_> = text
            .parse()
            .map_err(|e: packageurl::Error| PurlError(e.to_string()))?;
        let mut qualifiers: Vec<(String, String)> = parsed
            .qualifiers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        qualifiers.sort();
        Ok(Purl {
            ty: parsed.ty().to_ascii_lowercase(),
            namespace: parsed.namespace().map(str::to_owned),
            name: parsed.name().to_owned(),
            version: parsed.version().map(str::to_owned),
            qualifiers,
        })
    }

    /// The OSV ecosystem of this purl's type (and, for distributions, namespace).
    pub fn osv_ecosystem(&self) -> Option<&'static str> {
        let namespace = self
            .namespace
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Some(match self.ty.as_str() {
            "npm" => "npm",
            "pypi" => "PyPI",
            "maven" => "Maven",
            "golang" => "Go",
            "cargo" => "crates.io",
            "gem" => "RubyGems",
            "nuget" => "NuGet",
            "composer" => "Packagist",
            "hex" => "Hex",
            "pub" => "Pub",
            "swift" => "SwiftURL",
            "cran" => "CRAN",
            "hackage" => "Hackage",
            "conan" => "ConanCenter",
            "bitnami" => "Bitnami",
            "github" => "GitHub Actions",
            "deb" => match namespace.as_str() {
                "debian" => "Debian",
                "ubuntu" => "Ubuntu",
                _ => return None,
            },
            "apk" => match namespace.as_str() {
                "alpine" => "Alpine",
                "wolfi" => "Wolfi",
                "chainguard" => "Chainguard",
                _ => return None,
            },
            "rpm" => match namespace.as_str() {
                "redhat" => "Red Hat",
                "rocky-linux" | "rocky" => "Rocky Linux",
                "almalinux" => "AlmaLinux",
                "opensuse" => "openSUSE",
                "suse" => "SUSE",
                _ => return None,
            },
            _ => return None,
        })
    }

    /// The name as OSV writes it for this ecosystem (before normalisation): Maven
    /// `group:artifact`, npm `@scope/name`, Go and Packagist `namespace/name`.
    pub fn osv_name(&self) -> String {
        let namespace = self.namespace.as_deref().filter(|n| !n.is_empty());
        match (self.ty.as_str(), namespace) {
            ("maven", Some(group)) => format!("{group}:{}", self.name),
            ("npm" | "golang" | "composer" | "swift" | "github", Some(namespace)) => {
                format!("{namespace}/{}", self.name)
            }
            _ => self.name.clone(),
        }
    }

    /// The index key: ecosystem and normalised name.
    pub fn key(&self) -> Option<PackageKey> {
        let ecosystem = self.osv_ecosystem()?;
        Some(PackageKey::new(ecosystem, &self.osv_name()))
    }
}

/// (OSV ecosystem without its release suffix, normalised name): what a component and an
/// advisory's package must share to be compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageKey {
    /// `PyPI`, `Maven`, `Debian` (never `Debian:11`).
    pub ecosystem: String,
    /// Normalised name.
    pub name: String,
}

impl PackageKey {
    /// The key of an OSV `package` (`ecosystem` may carry a release suffix, `Debian:11`).
    pub fn new(ecosystem: &str, name: &str) -> PackageKey {
        let base = base_ecosystem(ecosystem);
        PackageKey {
            ecosystem: base.to_owned(),
            name: normalize_name(base, name),
        }
    }
}

impl fmt::Display for PackageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ecosystem, self.name)
    }
}

/// `Debian:11` → `Debian`; `Alpine:v3.16` → `Alpine`; `npm` → `npm`.
pub fn base_ecosystem(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

/// A package name normalised the way `ecosystem` compares names.
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    match ecosystem {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut separator = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    separator = true;
                } else {
                    if separator && !out.is_empty() {
                        out.push('-');
                    }
                    separator = false;
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        "Maven" | "Go" | "RubyGems" | "SwiftURL" | "GitHub Actions" | "CRAN" | "Hackage" => {
            name.to_owned()
        }
        _ => name.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(purl: &str) -> String {
        Purl::parse(purl)
            .ok()
            .and_then(|p| p.key())
            .map(|k| k.to_string())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn keys_per_ecosystem() {
        assert_eq!(
            key("pkg:pypi/Products.PluggableAuthService@2.6.0"),
            "PyPI/products-pluggableauthservice"
        );
        assert_eq!(
            key("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
            "Maven/org.apache.logging.log4j:log4j-core"
        );
        assert_eq!(key("pkg:npm/%40angular/core@1.0.0"), "npm/@angular/core");
        assert_eq!(
            key("pkg:golang/github.com/gin-gonic/gin@v1.5.0"),
            "Go/github.com/gin-gonic/gin"
        );
        assert_eq!(
            key("pkg:deb/debian/openssl@1.1.1n-0+deb11u3"),
            "Debian/openssl"
        );
        assert_eq!(key("pkg:apk/alpine/busybox@1.35.0-r17"), "Alpine/busybox");
        assert_eq!(key("pkg:generic/thing@1"), "none");
    }

    #[test]
    fn osv_names_match_purl_names() {
        assert_eq!(
            PackageKey::new("PyPI", "Products.PluggableAuthService").name,
            "products-pluggableauthservice"
        );
        assert_eq!(PackageKey::new("Debian:11", "openssl").ecosystem, "Debian");
        assert_eq!(normalize_name("PyPI", "zope__interface"), "zope-interface");
    }

    #[test]
    fn bad_purls_are_errors() {
        assert!(Purl::parse("not a purl").is_err());
        assert!(Purl::parse("pkg:").is_err());
    }
}
