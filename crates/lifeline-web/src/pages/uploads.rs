use askama::Template;

use super::Chrome;

/// One problem with an uploaded file: the file, where in it (entity and field), what.
#[derive(Debug, Clone)]
pub struct UploadError {
    pub file: String,
    /// `error` or `warning`.
    pub severity: String,
    /// The entity and field (`edges[3].to`), or the CSV file, row and column; empty when
    /// the problem is the whole file.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

/// `/uploads`: the forms that send networks (and, as they land, EPCIS files and SBOMs).
#[derive(Debug, Template)]
#[template(path = "uploads.html")]
pub struct UploadsPage {
    pub chrome: Chrome,
    /// What went wrong with the last upload.
    pub errors: Vec<UploadError>,
    /// What the errors are about: `network`, `epcis`, `sbom`.
    pub form: String,
    /// The name typed last time.
    pub name: String,
}
