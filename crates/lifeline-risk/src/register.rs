//! Reading and validating a vendor register. (Owned by the register helper.)

use std::path::{Path, PathBuf};

use lifeline_network::{Diagnostic, Diagnostics, Format, LoadError, Raw, ValidatedNetwork};

use crate::model::Register;

/// A register that validated, with its warnings.
#[derive(Debug, Clone)]
pub struct LoadedRegister {
    pub register: Register,
    pub warnings: Vec<Diagnostic>,
}

/// Why a register could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// Unreadable, not JSON/YAML, or over a read limit.
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("`{}` is not a valid vendor register ({} error(s)):\n{diagnostics}", path.display(), diagnostics.error_count())]
    Invalid {
        path: PathBuf,
        diagnostics: Diagnostics,
    },
}

/// Decodes and validates a parsed register. With a network, vendor ids that no entity
/// carries are noted (warnings), never refused.
pub fn from_raw(raw: &Raw, network: Option<&ValidatedNetwork>) -> Result<LoadedRegister, Diagnostics> {
    let _ = (raw, network);
    todo!("register helper")
}

/// Parses and validates register text; `origin` names it in errors.
pub fn from_str(
    text: &str,
    format: Format,
    origin: &Path,
    network: Option<&ValidatedNetwork>,
) -> Result<LoadedRegister, RegisterError> {
    let _ = (text, format, origin, network);
    todo!("register helper")
}
