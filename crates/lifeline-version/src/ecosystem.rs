//! The package ecosystems whose version order this crate knows, and their names in
//! OSV records and in package URLs (purls).

use std::fmt;

/// A package ecosystem with a known version order.
///
/// Several ecosystems share one order: npm, crates.io, Go, Hex and SwiftURL use
/// SemVer 2.0 precedence; Debian and Ubuntu use dpkg's; Alpine, Wolfi and
/// Chainguard use apk-tools'. They stay distinct variants so that a version keeps
/// the ecosystem it was parsed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// npm: SemVer 2.0 as node-semver's `valid()` reads it (a leading `v` or `=` is allowed).
    Npm,
    /// PyPI: PEP 440 (epochs, pre-, post- and dev-releases, local versions, normalisation).
    PyPi,
    /// Maven: the order of Maven's `ComparableVersion`.
    Maven,
    /// Go modules: SemVer 2.0 with an optional `v` prefix; pseudo-versions and
    /// `+incompatible` order as SemVer pre-releases and build metadata do.
    Go,
    /// crates.io: strict SemVer 2.0, as Cargo reads it.
    CratesIo,
    /// RubyGems: the order of `Gem::Version`.
    RubyGems,
    /// NuGet: NuGet's SemVer 2.0 with up to four numeric parts and case-insensitive labels.
    NuGet,
    /// Debian: dpkg's order of `[epoch:]upstream[-revision]`.
    Debian,
    /// Ubuntu: dpkg's order, as Debian.
    Ubuntu,
    /// Alpine: apk-tools' version order.
    Alpine,
    /// Wolfi: apk-tools' version order, as Alpine.
    Wolfi,
    /// Chainguard: apk-tools' version order, as Alpine.
    Chainguard,
    /// Hex (Erlang and Elixir): SemVer 2.0.
    Hex,
    /// SwiftURL (Swift Package Manager): SemVer 2.0 tags, an optional `v` prefix allowed.
    SwiftUrl,
    /// Any other ecosystem (Packagist, Pub, Hackage, ...), whose order is not known
    /// here. Only what the OSV schema defines for every ecosystem is evaluated:
    /// `versions` entries match by text and `SEMVER` ranges use SemVer 2.0;
    /// `ECOSYSTEM` ranges give [`Verdict::Unknown`](crate::Verdict::Unknown).
    /// Versions are ordered by their text, an order with no meaning.
    Generic,
}

impl Ecosystem {
    /// Every ecosystem with a known order, in declaration order ([`Ecosystem::Generic`] is not one).
    pub const ALL: [Ecosystem; 14] = [
        Ecosystem::Npm,
        Ecosystem::PyPi,
        Ecosystem::Maven,
        Ecosystem::Go,
        Ecosystem::CratesIo,
        Ecosystem::RubyGems,
        Ecosystem::NuGet,
        Ecosystem::Debian,
        Ecosystem::Ubuntu,
        Ecosystem::Alpine,
        Ecosystem::Wolfi,
        Ecosystem::Chainguard,
        Ecosystem::Hex,
        Ecosystem::SwiftUrl,
    ];

    /// Reads an OSV `affected[].package.ecosystem` string ("PyPI", "crates.io",
    /// "Debian:12", "Alpine:v3.18", "Ubuntu:22.04:LTS", "Maven", "Go", "npm",
    /// "RubyGems", "NuGet", ...). A `:` suffix (release, repository URL) is ignored;
    /// the base name is matched exactly as the OSV schema spells it.
    /// Returns `None` for ecosystems without a known order here (see
    /// [`Ecosystem::from_osv_or_generic`]).
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        let base = name.split(':').next().unwrap_or(name);
        Some(match base {
            "npm" => Ecosystem::Npm,
            "PyPI" => Ecosystem::PyPi,
            "Maven" => Ecosystem::Maven,
            "Go" => Ecosystem::Go,
            "crates.io" => Ecosystem::CratesIo,
            "RubyGems" => Ecosystem::RubyGems,
            "NuGet" => Ecosystem::NuGet,
            "Debian" => Ecosystem::Debian,
            "Ubuntu" => Ecosystem::Ubuntu,
            "Alpine" => Ecosystem::Alpine,
            "Wolfi" => Ecosystem::Wolfi,
            "Chainguard" => Ecosystem::Chainguard,
            "Hex" => Ecosystem::Hex,
            "SwiftURL" => Ecosystem::SwiftUrl,
            _ => return None,
        })
    }

    /// As [`Ecosystem::from_osv`], but an ecosystem without a known order gives
    /// [`Ecosystem::Generic`], so that its `versions` lists and `SEMVER` ranges
    /// can still be evaluated.
    pub fn from_osv_or_generic(name: &str) -> Ecosystem {
        Ecosystem::from_osv(name).unwrap_or(Ecosystem::Generic)
    }

    /// Reads a package-URL type ("npm", "pypi", "maven", "golang", "cargo", "gem",
    /// "nuget", "deb", "apk", "hex", "swift"), case-insensitively as the purl
    /// specification asks. `deb` gives [`Ecosystem::Debian`] and `apk`
    /// [`Ecosystem::Alpine`]; the purl namespace (`ubuntu`, `wolfi`, ...) tells
    /// the distributions apart, see [`Ecosystem::from_purl`].
    pub fn from_purl_type(ty: &str) -> Option<Ecosystem> {
        Some(match ty.to_ascii_lowercase().as_str() {
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::PyPi,
            "maven" => Ecosystem::Maven,
            "golang" => Ecosystem::Go,
            "cargo" => Ecosystem::CratesIo,
            "gem" => Ecosystem::RubyGems,
            "nuget" => Ecosystem::NuGet,
            "deb" => Ecosystem::Debian,
            "apk" => Ecosystem::Alpine,
            "hex" => Ecosystem::Hex,
            "swift" => Ecosystem::SwiftUrl,
            _ => return None,
        })
    }

    /// Whether this ecosystem's version order is known (every variant but [`Ecosystem::Generic`]).
    pub fn has_order(self) -> bool {
        self != Ecosystem::Generic
    }

    /// Reads a purl type with its namespace, so that `pkg:deb/ubuntu/...` gives
    /// [`Ecosystem::Ubuntu`] and `pkg:apk/wolfi/...` [`Ecosystem::Wolfi`].
    pub fn from_purl(ty: &str, namespace: Option<&str>) -> Option<Ecosystem> {
        let ecosystem = Ecosystem::from_purl_type(ty)?;
        let namespace = namespace.map(str::to_ascii_lowercase);
        Some(match (ecosystem, namespace.as_deref()) {
            (Ecosystem::Debian, Some("ubuntu")) => Ecosystem::Ubuntu,
            (Ecosystem::Alpine, Some("wolfi")) => Ecosystem::Wolfi,
            (Ecosystem::Alpine, Some("chainguard")) => Ecosystem::Chainguard,
            (other, _) => other,
        })
    }

    /// The ecosystem's name as the OSV schema spells it (without a release suffix);
    /// `generic` for [`Ecosystem::Generic`], which is no OSV name.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPi => "PyPI",
            Ecosystem::Maven => "Maven",
            Ecosystem::Go => "Go",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Debian => "Debian",
            Ecosystem::Ubuntu => "Ubuntu",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::Wolfi => "Wolfi",
            Ecosystem::Chainguard => "Chainguard",
            Ecosystem::Hex => "Hex",
            Ecosystem::SwiftUrl => "SwiftURL",
            Ecosystem::Generic => "generic",
        }
    }

    /// Whether this ecosystem's own order is SemVer 2.0 precedence.
    pub fn is_semver(self) -> bool {
        matches!(
            self,
            Ecosystem::Npm
                | Ecosystem::Go
                | Ecosystem::CratesIo
                | Ecosystem::Hex
                | Ecosystem::SwiftUrl
        )
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}
