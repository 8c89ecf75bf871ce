//! PEP 440 versions for PyPI, through the `pep440_rs` crate (the parser uv
//! grew from), which implements PEP 440's normalisation (case, `-`/`_`/`.`
//! separators, `alpha`/`c`/`pre`/`rev`/`r` spellings, implicit numbers, a
//! leading `v`) and its total order (epoch, release, pre, post, dev, local).

use std::cmp::Ordering;
use std::str::FromStr;

/// A PEP 440 version.
#[derive(Clone, Debug)]
pub(crate) struct Pep440(pep440_rs::Version);

pub(crate) fn parse(text: &str) -> Result<Pep440, String> {
    pep440_rs::Version::from_str(text.trim())
        .map(Pep440)
        .map_err(|error| error.to_string())
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440 {}
