//! The CISA Known Exploited Vulnerabilities catalogue
//! (<https://www.cisa.gov/known-exploited-vulnerabilities-catalog>), validated against
//! CISA's own JSON schema (embedded) and indexed by CVE id.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{AdvisoryError, pointer_to_path};

const KEV_SCHEMA: &str = include_str!("../schemas/kev.schema.json");

/// One catalogue entry, with the fields a finding shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KevEntry {
    /// `CVE-2021-44228`.
    #[serde(rename = "cveID")]
    pub cve_id: String,
    /// Vendor or project.
    pub vendor_project: String,
    /// Product.
    pub product: String,
    /// Name of the vulnerability.
    pub vulnerability_name: String,
    /// Date added to the catalogue, `YYYY-MM-DD`.
    pub date_added: String,
    /// Remediation due date for US federal agencies, `YYYY-MM-DD`.
    pub due_date: String,
    /// `Known` or `Unknown`.
    pub known_ransomware_campaign_use: String,
    /// What to do.
    pub required_action: String,
}

impl KevEntry {
    /// Whether CISA knows of ransomware campaigns using this vulnerability.
    pub fn ransomware(&self) -> bool {
        self.known_ransomware_campaign_use
            .eq_ignore_ascii_case("Known")
    }
}

/// The catalogue, by CVE id.
#[derive(Debug, Clone, Default)]
pub struct KevCatalogue {
    /// `catalogVersion`.
    pub version: String,
    /// Entries by CVE id.
    pub entries: HashMap<String, KevEntry>,
}

fn validator() -> &'static Result<jsonschema::Validator, String> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(KEV_SCHEMA).map_err(|e| e.to_string())?;
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| e.to_string())
    })
}

impl KevCatalogue {
    /// Parses and validates the catalogue JSON; the first schema error is reported with
    /// its path (`vulnerabilities[3].dueDate`).
    pub fn parse(bytes: &[u8]) -> Result<KevCatalogue, AdvisoryError> {
        KevCatalogue::parse_with(bytes, &crate::ReadLimits::default())
    }

    /// [`KevCatalogue::parse`] within `limits` (file size, value size; `serde_json`
    /// keeps nesting within 128 levels). Messages quote values escaped and cut.
    pub fn parse_with(
        bytes: &[u8],
        limits: &crate::ReadLimits,
    ) -> Result<KevCatalogue, AdvisoryError> {
        let error = |path: String, message: String| AdvisoryError::Kev {
            path,
            message: lifeline_text::excerpt_to(&message, 200).into_owned(),
        };
        if bytes.len() > limits.max_file_bytes {
            return Err(error(
                String::new(),
                format!(
                    "{} bytes, more than the limit of {} bytes per file",
                    bytes.len(),
                    limits.max_file_bytes
                ),
            ));
        }
        let document: Value =
            serde_json::from_slice(bytes).map_err(|e| error(String::new(), e.to_string()))?;
        if let Some(first) =
            crate::limits::long_json_values(&document, limits.max_value_bytes).first()
        {
            return Err(error(first.path.clone(), first.message.clone()));
        }
        let validator = validator()
            .as_ref()
            .map_err(|e| error(String::new(), format!("embedded schema: {e}")))?;
        if let Some(first) = validator.iter_errors(&document).next() {
            return Err(error(
                pointer_to_path(first.instance_path().as_str()),
                first.to_string(),
            ));
        }
        let version = document
            .get("catalogVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let list = document
            .get("vulnerabilities")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut entries = HashMap::with_capacity(list.len());
        for (index, value) in list.into_iter().enumerate() {
            let entry: KevEntry = serde_json::from_value(value)
                .map_err(|e| error(format!("vulnerabilities[{index}]"), e.to_string()))?;
            entries.insert(entry.cve_id.clone(), entry);
        }
        Ok(KevCatalogue { version, entries })
    }

    /// The entry of a CVE id.
    pub fn get(&self, cve: &str) -> Option<&KevEntry> {
        self.entries.get(cve)
    }
}
