//! Validation of CycloneDX JSON documents against the official JSON schemas 1.2–1.7,
//! embedded in the binary (no network, no files at run time), with each error turned into
//! a path-named diagnostic (`components[3].hashes[0].alg: "FOO" is not a hash algorithm`).

use std::sync::OnceLock;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

use crate::error::{Diagnostic, pointer_to_path};

const BOM_1_2: &str = include_str!("../schemas/bom-1.2.schema.json");
const BOM_1_3: &str = include_str!("../schemas/bom-1.3.schema.json");
const BOM_1_4: &str = include_str!("../schemas/bom-1.4.schema.json");
const BOM_1_5: &str = include_str!("../schemas/bom-1.5.schema.json");
const BOM_1_6: &str = include_str!("../schemas/bom-1.6.schema.json");
const BOM_1_7: &str = include_str!("../schemas/bom-1.7.schema.json");
const SPDX: &str = include_str!("../schemas/spdx.schema.json");
const JSF: &str = include_str!("../schemas/jsf-0.82.schema.json");
const CRYPTOGRAPHY_DEFS: &str = include_str!("../schemas/cryptography-defs.schema.json");

/// The CycloneDX versions this crate reads.
pub const CYCLONEDX_VERSIONS: [&str; 6] = ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7"];

/// Serves the schemas that the BOM schemas `$ref` by relative name
/// (`spdx.schema.json`, `jsf-0.82.schema.json`, `cryptography-defs.schema.json`) from the
/// embedded copies; anything else is refused, so validation never touches the network.
struct EmbeddedRetriever;

impl Retrieve for EmbeddedRetriever {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        let text = match name {
            "spdx.schema.json" => SPDX,
            "jsf-0.82.schema.json" => JSF,
            "cryptography-defs.schema.json" => CRYPTOGRAPHY_DEFS,
            _ => return Err(format!("schema `{uri}` is not embedded in lifeline").into()),
        };
        Ok(serde_json::from_str(text)?)
    }
}

fn schema_text(version: &str) -> Option<&'static str> {
    Some(match version {
        "1.2" => BOM_1_2,
        "1.3" => BOM_1_3,
        "1.4" => BOM_1_4,
        "1.5" => BOM_1_5,
        "1.6" => BOM_1_6,
        "1.7" => BOM_1_7,
        _ => return None,
    })
}

type Slot = OnceLock<Result<Validator, String>>;
static VALIDATORS: [Slot; 6] = [
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
    OnceLock::new(),
];

/// The compiled validator of one CycloneDX version, built once per process.
fn validator(version: &str) -> Option<&'static Result<Validator, String>> {
    let index = CYCLONEDX_VERSIONS.iter().position(|v| *v == version)?;
    let text = schema_text(version)?;
    Some(VALIDATORS[index].get_or_init(|| {
        let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        jsonschema::options()
            .with_retriever(EmbeddedRetriever)
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| e.to_string())
    }))
}

/// Validates a CycloneDX JSON document against the schema of `version`; every schema error
/// becomes one diagnostic naming the path of the bad element.
pub fn validate_cyclonedx(document: &Value, version: &str) -> Vec<Diagnostic> {
    let validator = match validator(version) {
        None => {
            return vec![
                Diagnostic::error(
                    "specVersion",
                    format!("CycloneDX version \"{version}\" is not supported"),
                )
                .with_hint(format!("supported: {}", CYCLONEDX_VERSIONS.join(", "))),
            ];
        }
        Some(Err(message)) => {
            return vec![Diagnostic::error(
                "",
                format!("the embedded CycloneDX {version} schema does not compile: {message}"),
            )];
        }
        Some(Ok(validator)) => validator,
    };
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for error in validator.iter_errors(document) {
        let path = pointer_to_path(error.instance_path().as_str());
        let message = describe(&error);
        let diagnostic = Diagnostic::error(path, message);
        if !diagnostics.contains(&diagnostic) {
            diagnostics.push(diagnostic);
        }
    }
    diagnostics
}

/// A short message for one schema error: enumerations name the definition they come from
/// (`"FOO" is not a hash algorithm`) instead of listing every allowed value.
fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind;
    let instance = error.instance();
    match error.kind() {
        ValidationErrorKind::Enum { options } => {
            let schema_path = error.schema_path().as_str();
            let definition = schema_path
                .split('/')
                .collect::<Vec<_>>()
                .windows(2)
                .filter(|pair| pair[0] == "definitions")
                .map(|pair| pair[1].to_owned())
                .next_back();
            match definition.as_deref() {
                Some("hash-alg") => format!("{instance} is not a hash algorithm"),
                Some(name) => format!("{instance} is not a valid {}", name.replace('-', " ")),
                None => {
                    let allowed = options.to_string();
                    let allowed = if allowed.len() > 120 {
                        format!("{}...]", &allowed[..allowed.floor_char_boundary(117)])
                    } else {
                        allowed
                    };
                    format!("{instance} is not one of {allowed}")
                }
            }
        }
        _ => {
            let text = error.to_string();
            if text.len() > 300 {
                format!("{}...", &text[..text.floor_char_boundary(297)])
            } else {
                text
            }
        }
    }
}
