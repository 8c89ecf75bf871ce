//! The one place this crate touches the file system: an OSV source named by its path, read
//! the same way by every front end that takes paths (the CLI's `--osv`, the Python
//! package's `lifeline.sbom.scan`). Everything else in the crate takes bytes.

use std::path::{Path, PathBuf};

use crate::error::OsvSourceError;
use crate::osv::AdvisoryIndex;

impl AdvisoryIndex {
    /// Adds an OSV source on disk, as the CLI's `--osv` and the Python package take it: a
    /// record (`*.json`), an ecosystem's export (`*.zip`), or a folder searched recursively
    /// for both, in name order so that the index is the same on every file system. Other
    /// files in a folder are left alone; the first file that cannot be read or holds no
    /// valid record stops the load with an error naming it.
    pub fn add_path(&mut self, path: &Path) -> Result<(), OsvSourceError> {
        let io = |source| OsvSourceError::Io {
            path: path.to_owned(),
            source,
        };
        if std::fs::metadata(path).map_err(io)?.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .and_then(|entries| entries.map(|entry| entry.map(|e| e.path())).collect())
                .map_err(io)?;
            entries.sort();
            for entry in entries {
                if entry.is_dir() || has_extension(&entry, "json") || has_extension(&entry, "zip") {
                    self.add_path(&entry)?;
                }
            }
            return Ok(());
        }
        let bytes = std::fs::read(path).map_err(io)?;
        let name = path.display().to_string();
        let added = if has_extension(path, "zip") {
            self.add_zip(&name, &bytes)
        } else {
            self.add_json(&name, &bytes)
        };
        added.map_err(|source| OsvSourceError::Advisory {
            path: path.to_owned(),
            source,
        })
    }
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}
