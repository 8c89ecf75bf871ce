//! Reading and validating a vendor register (`lifeline-vendors/1`,
//! `shared/spec/vendors-format.md`).
//!
//! The document is decoded with the network's [`Decoder`], so a register gets the
//! network's read limits, duplicate-key errors, unknown-field warnings and diagnostics
//! named by their path (`vendors[3].controls.mfa`). Decoding never stops at the first
//! problem: a field of the wrong type is reported and treated as absent. Then the whole
//! register is checked: unique vendor ids, subcontractors and alternatives that name
//! vendors of the register, and, with a network, vendor ids that no entity carries.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use lifeline_network::{
    Decoder, Diagnostic, Diagnostics, Fields, Format, LoadError, Range, Raw, ReadLimits,
    ValidatedNetwork, parse_document, vendor_id,
};
use lifeline_text::Excerpt;
use time::Date;

use crate::date;
use crate::model::{
    Answer, AnswerValue, Control, ControlId, Controls, Evidence, FORMAT, Incident, Product,
    Register, Vendor,
};

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
pub fn from_raw(
    raw: &Raw,
    network: Option<&ValidatedNetwork>,
) -> Result<LoadedRegister, Diagnostics> {
    let mut reader = Reader::default();
    let (register, vendors) = reader.register(raw);
    check_references(&mut reader.decoder, &vendors);
    if let Some(network) = network {
        check_network(&mut reader.decoder, &vendors, network);
    }
    let diagnostics = reader.decoder.diagnostics;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Diagnostics(diagnostics));
    }
    Ok(LoadedRegister {
        register: Register {
            vendors: vendors.into_iter().map(|v| v.vendor).collect(),
            ..register
        },
        warnings: diagnostics,
    })
}

/// Parses and validates register text; `origin` names it in errors.
pub fn from_str(
    text: &str,
    format: Format,
    origin: &Path,
    network: Option<&ValidatedNetwork>,
) -> Result<LoadedRegister, RegisterError> {
    let raw = parse_document(text, format, origin, &ReadLimits::default())?;
    from_raw(&raw, network).map_err(|diagnostics| RegisterError::Invalid {
        path: origin.to_owned(),
        diagnostics,
    })
}

/// Whether one of the questionnaires knows a question id: NIST CSF 2.0 subcategories
/// (`GV.SC-05`), HHS 405(d) HICP practices (`HICP-1` to `HICP-10`) or lifeline's own
/// controls questions (`ctl-mfa`).
fn known_question(id: &str) -> bool {
    crate::questionnaire::is_known_question(id)
}

/// The fields of a control object that belong to one control only.
const CONTROL_FIELDS: [(&str, ControlId); 6] = [
    ("last_restore_test", ControlId::OfflineBackups),
    ("restore_hours", ControlId::OfflineBackups),
    ("last_tested", ControlId::IncidentResponsePlan),
    ("completion", ControlId::AwarenessTraining),
    ("phishing_click_rate", ControlId::AwarenessTraining),
    ("critical_patch_days", ControlId::VulnerabilityManagement),
];

/// A vendor as decoded, with where its references were written, for the checks across
/// the register.
struct Decoded {
    /// Its position in `vendors`.
    index: usize,
    vendor: Vendor,
    /// The position in `subcontractors` of each kept subcontractor.
    subcontractor_at: Vec<usize>,
    /// The position in `alternatives` of each kept alternative.
    alternative_at: Vec<usize>,
}

#[derive(Default)]
struct Reader {
    decoder: Decoder,
    /// The register's `as_of`, once read: dates after it are suspicious.
    as_of: Option<Date>,
}

impl Reader {
    fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.decoder
            .diagnostics
            .push(Diagnostic::warning(path, message));
    }

    /// The document: `format`, `as_of`, `vendors`.
    fn register(&mut self, raw: &Raw) -> (Register, Vec<Decoded>) {
        let mut register = Register {
            format: FORMAT,
            ..Register::default()
        };
        let mut vendors = Vec::new();
        let Some(mut fields) = self.decoder.object(raw, "") else {
            return (register, vendors);
        };
        match fields.get("format") {
            None => self.decoder.diagnostics.push(
                Diagnostic::warning("format", format!("missing; read as `{FORMAT}`"))
                    .with_hint(format!("add \"format\": \"{FORMAT}\"")),
            ),
            Some(Raw::String(f)) if f == FORMAT => {}
            Some(other) => self.decoder.error(
                "format",
                format!(
                    "unsupported format {}, expected `\"{FORMAT}\"`",
                    other.describe()
                ),
            ),
        }
        register.as_of = self.date(&mut fields, "as_of", false);
        self.as_of = register.as_of;
        match fields.get("vendors") {
            None => self.decoder.error("vendors", "missing required field"),
            Some(Raw::List(items)) => {
                if items.is_empty() {
                    self.warning("vendors", "the register lists no vendors");
                }
                for (i, raw) in items.iter().enumerate() {
                    if let Some(vendor) = self.vendor(raw, i) {
                        vendors.push(vendor);
                    }
                }
            }
            Some(other) => self.decoder.error(
                "vendors",
                format!("expected a list of vendors, found {}", other.describe()),
            ),
        }
        self.decoder.finish(fields);
        (register, vendors)
    }

    /// One vendor; `None` when it has no usable id (the problem is reported).
    fn vendor(&mut self, raw: &Raw, index: usize) -> Option<Decoded> {
        let path = format!("vendors[{index}]");
        let mut fields = self.decoder.object(raw, &path)?;
        let id = self.vendor_id_field(&mut fields, "id");
        let name = self.required_text(&mut fields, "name");
        let kind = self.optional_text(&mut fields, "kind");
        let contact = self.contact(&mut fields);
        let (subcontractors, subcontractor_at) = self.vendor_ids(&mut fields, "subcontractors");
        let (alternatives, alternative_at) = self.vendor_ids(&mut fields, "alternatives");
        let products = self.products(&mut fields);
        let controls = self.controls(&mut fields);
        let answers = self.answers(&mut fields);
        let incidents = self.incidents(&mut fields);
        self.decoder.finish(fields);
        Some(Decoded {
            index,
            vendor: Vendor {
                id: id?,
                name: name.unwrap_or_default(),
                kind,
                contact,
                subcontractors,
                alternatives,
                products,
                controls,
                answers,
                incidents,
            },
            subcontractor_at,
            alternative_at,
        })
    }

    /// A required vendor id.
    fn vendor_id_field(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let path = fields.path(key);
        match fields.get(key) {
            None => {
                self.decoder.error(path, "missing required field");
                None
            }
            Some(raw) => self.vendor_id_at(raw, &path),
        }
    }

    /// A vendor id: the network's rule, lower-case letters and digits joined by single
    /// hyphens (`lifeline_network::vendor_id(x) == x`).
    fn vendor_id_at(&mut self, raw: &Raw, path: &str) -> Option<String> {
        let Raw::String(text) = raw else {
            self.decoder.error(
                path,
                format!("expected a vendor id, found {}", raw.describe()),
            );
            return None;
        };
        let id = vendor_id(text);
        if id.is_empty() {
            self.decoder.error(
                path,
                format!(
                    "`{}` is not a vendor id: it has no letter or digit",
                    Excerpt(text)
                ),
            );
            return None;
        }
        if id != *text {
            self.decoder.diagnostics.push(
                Diagnostic::error(
                    path,
                    format!(
                        "`{}` is not a vendor id: lower-case letters and digits joined by single hyphens",
                        Excerpt(text)
                    ),
                )
                .with_hint(format!("write \"{}\"", Excerpt(&id))),
            );
            return None;
        }
        Some(id)
    }

    /// A list of vendor ids (`subcontractors`, `alternatives`), with the position of each
    /// one kept; an id listed twice is noted and kept once.
    fn vendor_ids(&mut self, fields: &mut Fields<'_>, key: &str) -> (Vec<String>, Vec<usize>) {
        let list_path = fields.path(key);
        let items = self.decoder.list(fields, key);
        let mut ids: Vec<String> = Vec::new();
        let mut positions = Vec::new();
        for (i, raw) in items.iter().enumerate() {
            let path = format!("{list_path}[{i}]");
            let Some(id) = self.vendor_id_at(raw, &path) else {
                continue;
            };
            if let Some(first) = ids.iter().position(|known| *known == id) {
                self.warning(
                    path,
                    format!(
                        "`{}` is listed twice, first at {list_path}[{}]; kept once",
                        Excerpt(&id),
                        positions[first]
                    ),
                );
                continue;
            }
            ids.push(id);
            positions.push(i);
        }
        (ids, positions)
    }

    /// A string that must be present and not blank.
    fn required_text(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let path = fields.path(key);
        if fields.get(key).is_none() {
            self.decoder.error(path, "missing required field");
            return None;
        }
        let text = self.decoder.string(fields, key)?;
        if text.trim().is_empty() {
            self.decoder.error(path, "must not be empty");
            return None;
        }
        Some(text)
    }

    /// An optional string; blank reads as absent.
    fn optional_text(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        self.decoder
            .string(fields, key)
            .filter(|text| !text.trim().is_empty())
    }

    /// `contact`: an email address (`name@example.org`).
    fn contact(&mut self, fields: &mut Fields<'_>) -> Option<String> {
        let path = fields.path("contact");
        let text = self.optional_text(fields, "contact")?;
        let plausible = match text.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !text
                        .chars()
                        .any(|c| c.is_whitespace() || lifeline_text::is_unsafe(c))
            }
            None => false,
        };
        if !plausible {
            self.decoder.diagnostics.push(
                Diagnostic::error(
                    path,
                    format!("`{}` is not an email address", Excerpt(&text)),
                )
                .with_hint(
                    "the questionnaire goes there: write one address, `security@vendor.example`",
                ),
            );
            return None;
        }
        Some(text)
    }

    /// A date `YYYY-MM-DD`; when `past` and the register has an `as_of`, a date after it
    /// is noted.
    fn date(&mut self, fields: &mut Fields<'_>, key: &str, past: bool) -> Option<Date> {
        let raw = fields.get(key)?;
        let path = fields.path(key);
        self.date_at(raw, &path, past)
    }

    fn date_at(&mut self, raw: &Raw, path: &str, past: bool) -> Option<Date> {
        let Raw::String(text) = raw else {
            self.decoder.error(
                path,
                format!("expected a date `YYYY-MM-DD`, found {}", raw.describe()),
            );
            return None;
        };
        let Some(day) = date::parse(text) else {
            self.decoder.error(
                path,
                format!(
                    "`{}` is not a date: expected `YYYY-MM-DD`, a day of the calendar",
                    Excerpt(text)
                ),
            );
            return None;
        };
        if past
            && let Some(as_of) = self.as_of
            && day > as_of
        {
            self.warning(
                path,
                format!(
                    "`{}` is after the register's as_of date `{}`",
                    date::format(day),
                    date::format(as_of)
                ),
            );
        }
        Some(day)
    }

    fn products(&mut self, fields: &mut Fields<'_>) -> Vec<Product> {
        let list_path = fields.path("products");
        let items = self.decoder.list(fields, "products");
        let mut products: Vec<(usize, Product)> = Vec::new();
        for (i, raw) in items.iter().enumerate() {
            let path = format!("{list_path}[{i}]");
            let Some(product) = self.product(raw, &path) else {
                continue;
            };
            if let Some((first, _)) = products.iter().find(|(_, p)| p.id == product.id) {
                self.decoder.error(
                    format!("{path}.id"),
                    format!(
                        "duplicate product id `{}`, first used at {list_path}[{first}]",
                        Excerpt(&product.id)
                    ),
                );
                continue;
            }
            products.push((i, product));
        }
        products.into_iter().map(|(_, p)| p).collect()
    }

    fn product(&mut self, raw: &Raw, path: &str) -> Option<Product> {
        let mut fields = self.decoder.object(raw, path)?;
        let id = self.decoder.id(&mut fields, "id");
        let name = self.required_text(&mut fields, "name");
        let purl = self.checked(
            &mut fields,
            "purl",
            is_purl,
            "not a package URL",
            "write `pkg:<type>/<namespace>/<name>@<version>`",
        );
        let cpe = self.checked(
            &mut fields,
            "cpe",
            is_cpe,
            "not a CPE name",
            "write a CPE 2.3 name, `cpe:2.3:a:<vendor>:<product>:<version>:…`",
        );
        let sbom = self.checked(
            &mut fields,
            "sbom",
            |s| is_serial_number(s) || is_purl(s),
            "neither a CycloneDX serial number nor a package URL",
            "write the SBOM's CycloneDX `serialNumber` (`urn:uuid:…`) or the purl of its metadata component",
        );
        self.decoder.finish(fields);
        Some(Product {
            id: id?,
            name: name?,
            purl,
            cpe,
            sbom,
        })
    }

    /// An optional string that must pass `check`.
    fn checked(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
        check: impl Fn(&str) -> bool,
        problem: &str,
        hint: &str,
    ) -> Option<String> {
        let text = self.decoder.string(fields, key)?;
        if check(&text) {
            return Some(text);
        }
        self.decoder.diagnostics.push(
            Diagnostic::error(
                fields.path(key),
                format!("`{}` is {problem}", Excerpt(&text)),
            )
            .with_hint(hint),
        );
        None
    }

    /// `controls`: each control a bool or a control object; an unknown key is warned about.
    fn controls(&mut self, fields: &mut Fields<'_>) -> Controls {
        let mut controls = Controls::default();
        let Some(raw) = fields.get("controls") else {
            return controls;
        };
        let path = fields.path("controls");
        let Some(mut entries) = self.decoder.object(raw, &path) else {
            return controls;
        };
        for id in ControlId::ALL {
            if let Some(raw) = entries.get(id.key())
                && let Some(control) = self.control(id, raw, &entries.path(id.key()))
            {
                controls.0.insert(id, control);
            }
        }
        // An unknown control is warned about here rather than by `finish`, with the
        // control it may be a typo of.
        if let Raw::Map(pairs) = raw {
            for (key, _) in pairs {
                if ControlId::from_key(key).is_some() {
                    continue;
                }
                // Marks the field as read, so that `finish` does not warn about it too.
                let _ = entries.get(key);
                let keys = ControlId::ALL.map(ControlId::key);
                let hint = match lifeline_text::suggest(key, keys) {
                    Some(control) => format!("did you mean `{control}`?"),
                    None => format!(
                        "the controls are {}",
                        keys.map(|k| format!("`{k}`")).join(", ")
                    ),
                };
                self.decoder.diagnostics.push(
                    Diagnostic::warning(
                        entries.path(&lifeline_text::excerpt(key)),
                        "unknown control, ignored",
                    )
                    .with_hint(hint),
                );
            }
        }
        self.decoder.finish(entries);
        controls
    }

    fn control(&mut self, id: ControlId, raw: &Raw, path: &str) -> Option<Control> {
        match raw {
            Raw::Bool(in_place) => Some(Control {
                in_place: *in_place,
                ..Control::default()
            }),
            Raw::Map(_) => {
                let mut fields = self.decoder.object(raw, path)?;
                let in_place = match fields.get("in_place") {
                    Some(Raw::Bool(b)) => Some(*b),
                    Some(other) => {
                        self.decoder.error(
                            fields.path("in_place"),
                            format!("expected true or false, found {}", other.describe()),
                        );
                        None
                    }
                    None => {
                        self.decoder.diagnostics.push(
                            Diagnostic::error(fields.path("in_place"), "missing required field")
                                .with_hint("a control object says whether the control is in place: `\"in_place\": true`"),
                        );
                        None
                    }
                };
                let mut control = Control {
                    evidence: self.evidence_list(&mut fields),
                    ..Control::default()
                };
                match id {
                    ControlId::OfflineBackups => {
                        control.last_restore_test =
                            self.date(&mut fields, "last_restore_test", true);
                        control.restore_hours =
                            self.decoder
                                .number(&mut fields, "restore_hours", Range::Days);
                    }
                    ControlId::IncidentResponsePlan => {
                        control.last_tested = self.date(&mut fields, "last_tested", true);
                    }
                    ControlId::AwarenessTraining => {
                        control.completion =
                            self.decoder
                                .number(&mut fields, "completion", Range::Fraction);
                        control.phishing_click_rate = self.decoder.number(
                            &mut fields,
                            "phishing_click_rate",
                            Range::Fraction,
                        );
                    }
                    ControlId::VulnerabilityManagement => {
                        control.critical_patch_days =
                            self.decoder
                                .number(&mut fields, "critical_patch_days", Range::Days);
                    }
                    _ => {}
                }
                for (key, owner) in CONTROL_FIELDS {
                    if owner != id && fields.get(key).is_some() {
                        self.warning(
                            fields.path(key),
                            format!("applies to `{owner}` only, ignored"),
                        );
                    }
                }
                self.decoder.finish(fields);
                control.in_place = in_place?;
                Some(control)
            }
            other => {
                self.decoder.diagnostics.push(
                    Diagnostic::error(
                        path,
                        format!(
                            "expected true or false, or a control object, found {}",
                            other.describe()
                        ),
                    )
                    .with_hint(
                        "write `true`, `false` or `{\"in_place\": true, \"evidence\": [...]}`",
                    ),
                );
                None
            }
        }
    }

    /// `evidence`: a list of evidence objects.
    fn evidence_list(&mut self, fields: &mut Fields<'_>) -> Vec<Evidence> {
        let list_path = fields.path("evidence");
        let items = self.decoder.list(fields, "evidence");
        items
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| self.evidence(raw, &format!("{list_path}[{i}]")))
            .collect()
    }

    fn evidence(&mut self, raw: &Raw, path: &str) -> Option<Evidence> {
        let mut fields = self.decoder.object(raw, path)?;
        let kind = self.required_text(&mut fields, "kind");
        let issued = self.date(&mut fields, "issued", true);
        let expires = self.date(&mut fields, "expires", false);
        let reference = self.optional_text(&mut fields, "reference");
        if let (Some(issued), Some(expires)) = (issued, expires)
            && expires < issued
        {
            self.decoder.error(
                fields.path("expires"),
                format!(
                    "`{}` is before the evidence was issued (`{}`)",
                    date::format(expires),
                    date::format(issued)
                ),
            );
        }
        self.decoder.finish(fields);
        Some(Evidence {
            kind: kind?,
            issued,
            expires,
            reference,
        })
    }

    fn answers(&mut self, fields: &mut Fields<'_>) -> Vec<Answer> {
        let list_path = fields.path("answers");
        let items = self.decoder.list(fields, "answers");
        let mut answers: Vec<(usize, Answer)> = Vec::new();
        for (i, raw) in items.iter().enumerate() {
            let path = format!("{list_path}[{i}]");
            let Some(answer) = self.answer(raw, &path) else {
                continue;
            };
            if let Some((first, _)) = answers.iter().find(|(_, a)| a.question == answer.question) {
                self.decoder.error(
                    format!("{path}.question"),
                    format!(
                        "`{}` is answered twice, first at {list_path}[{first}]",
                        Excerpt(&answer.question)
                    ),
                );
                continue;
            }
            answers.push((i, answer));
        }
        answers.into_iter().map(|(_, a)| a).collect()
    }

    fn answer(&mut self, raw: &Raw, path: &str) -> Option<Answer> {
        let mut fields = self.decoder.object(raw, path)?;
        let question = self.decoder.id(&mut fields, "question");
        if let Some(question) = &question
            && !known_question(question)
        {
            self.decoder.diagnostics.push(
                Diagnostic::warning(
                    fields.path("question"),
                    format!(
                        "`{}` is not a question of the questionnaires lifeline knows; the answer is kept",
                        Excerpt(question)
                    ),
                )
                .with_hint("question ids are NIST CSF 2.0 subcategories (`GV.SC-05`), HHS 405(d) HICP practices (`HICP-7`) or lifeline's controls questions (`ctl-mfa`)"),
            );
        }
        let value = self.answer_value(&mut fields);
        let evidence = self.evidence_list(&mut fields);
        let comment = self.optional_text(&mut fields, "comment");
        self.decoder.finish(fields);
        Some(Answer {
            question: question?,
            answer: value?,
            evidence,
            comment,
        })
    }

    fn answer_value(&mut self, fields: &mut Fields<'_>) -> Option<AnswerValue> {
        let path = fields.path("answer");
        if fields.get("answer").is_none() {
            self.decoder.error(path, "missing required field");
            return None;
        }
        let text = match fields.get("answer") {
            Some(Raw::String(text)) => text,
            Some(Raw::Bool(b)) => {
                // YAML 1.1 readers take an unquoted `no` or `yes` for a boolean.
                self.decoder.diagnostics.push(
                    Diagnostic::error(
                        path,
                        format!("expected `yes`, `partial`, `no` or `na`, found `{b}`"),
                    )
                    .with_hint(format!(
                        "write \"{}\", quoted: YAML reads a bare yes or no as true or false",
                        if *b { "yes" } else { "no" }
                    )),
                );
                return None;
            }
            Some(other) => {
                self.decoder.error(
                    path,
                    format!(
                        "expected `yes`, `partial`, `no` or `na`, found {}",
                        other.describe()
                    ),
                );
                return None;
            }
            None => return None,
        };
        if let Some(value) = AnswerValue::parse(text) {
            return Some(value);
        }
        let mut diagnostic = Diagnostic::error(
            path,
            format!(
                "unknown answer `{}`, expected `yes`, `partial`, `no` or `na`",
                Excerpt(text)
            ),
        );
        let folded = text.trim().to_ascii_lowercase();
        if let Some(value) =
            AnswerValue::parse(&folded).or_else(|| (folded == "n/a").then_some(AnswerValue::Na))
        {
            diagnostic = diagnostic.with_hint(format!("write \"{}\"", value.as_str()));
        }
        self.decoder.diagnostics.push(diagnostic);
        None
    }

    fn incidents(&mut self, fields: &mut Fields<'_>) -> Vec<Incident> {
        let list_path = fields.path("incidents");
        let items = self.decoder.list(fields, "incidents");
        items
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| self.incident(raw, &format!("{list_path}[{i}]")))
            .collect()
    }

    fn incident(&mut self, raw: &Raw, path: &str) -> Option<Incident> {
        let mut fields = self.decoder.object(raw, path)?;
        let day = match fields.get("date") {
            None => {
                self.decoder
                    .error(fields.path("date"), "missing required field");
                None
            }
            Some(_) => self.date(&mut fields, "date", true),
        };
        let kind = self.required_text(&mut fields, "kind");
        let downtime_days = self
            .decoder
            .number(&mut fields, "downtime_days", Range::Days);
        let source = self.optional_text(&mut fields, "source");
        self.decoder.finish(fields);
        Some(Incident {
            date: day?,
            kind: kind?,
            downtime_days,
            source,
        })
    }
}

/// `pkg:<type>/…`: the scheme, a type and a name (the purl spec's required parts).
fn is_purl(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("pkg:") else {
        return false;
    };
    let rest = rest.trim_start_matches('/');
    match rest.split_once('/') {
        Some((kind, name)) => {
            !kind.is_empty()
                && kind
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
                && !name.is_empty()
                && !text
                    .chars()
                    .any(|c| c.is_whitespace() || lifeline_text::is_unsafe(c))
        }
        None => false,
    }
}

/// A CPE 2.3 formatted string or a CPE 2.2 URI.
fn is_cpe(text: &str) -> bool {
    let well_formed = match text.strip_prefix("cpe:2.3:") {
        Some(rest) => rest.split(':').count() >= 10,
        None => text
            .strip_prefix("cpe:/")
            .is_some_and(|rest| matches!(rest.chars().next(), Some('a' | 'o' | 'h'))),
    };
    well_formed
        && !text
            .chars()
            .any(|c| c.is_whitespace() || lifeline_text::is_unsafe(c))
}

/// A CycloneDX `serialNumber`: `urn:uuid:` and an RFC 4122 UUID.
fn is_serial_number(text: &str) -> bool {
    text.strip_prefix("urn:uuid:")
        .is_some_and(|uuid| uuid.len() == 36 && uuid::Uuid::try_parse(uuid).is_ok())
}

/// Across the register: unique vendor ids, and subcontractors and alternatives that are
/// vendors of the register other than the vendor itself.
fn check_references(decoder: &mut Decoder, vendors: &[Decoded]) {
    let mut first_at: HashMap<&str, usize> = HashMap::new();
    for decoded in vendors {
        let id = decoded.vendor.id.as_str();
        match first_at.get(id) {
            Some(first) => decoder.error(
                format!("vendors[{}].id", decoded.index),
                format!(
                    "duplicate vendor id `{}`, first used at vendors[{first}]",
                    Excerpt(id)
                ),
            ),
            None => {
                first_at.insert(id, decoded.index);
            }
        }
    }
    let ids: HashSet<&str> = first_at.keys().copied().collect();
    let mut candidates: Vec<&str> = ids.iter().copied().collect();
    candidates.sort_unstable();
    for decoded in vendors {
        let vendor = &decoded.vendor;
        for (key, list, positions) in [
            (
                "subcontractors",
                &vendor.subcontractors,
                &decoded.subcontractor_at,
            ),
            (
                "alternatives",
                &vendor.alternatives,
                &decoded.alternative_at,
            ),
        ] {
            for (reference, position) in list.iter().zip(positions) {
                let path = format!("vendors[{}].{key}[{position}]", decoded.index);
                if *reference == vendor.id {
                    decoder.error(
                        path,
                        format!("`{}` is this vendor itself", Excerpt(reference)),
                    );
                } else if !ids.contains(reference.as_str()) {
                    let mut diagnostic = Diagnostic::error(
                        path,
                        format!(
                            "unknown vendor `{}`: the register lists no vendor with this id",
                            Excerpt(reference)
                        ),
                    );
                    diagnostic =
                        match lifeline_text::suggest(reference, candidates.iter().copied()) {
                            Some(suggestion) => diagnostic
                                .with_hint(format!("did you mean `{}`?", Excerpt(suggestion))),
                            None => diagnostic.with_hint(format!(
                                "add the vendor `{}` to the register",
                                Excerpt(reference)
                            )),
                        };
                    decoder.diagnostics.push(diagnostic);
                }
            }
        }
    }
}

/// With a network: a vendor that no node, site or platform carries has no impact.
fn check_network(decoder: &mut Decoder, vendors: &[Decoded], network: &ValidatedNetwork) {
    for decoded in vendors {
        let id = &decoded.vendor.id;
        if network.entities_of_vendor(id).is_empty() {
            decoder.diagnostics.push(
                Diagnostic::warning(
                    format!("vendors[{}].id", decoded.index),
                    format!(
                        "no node, site or platform of the network carries vendor `{}`: its impact will be unknown",
                        Excerpt(id)
                    ),
                )
                .with_hint(format!(
                    "give the entities it runs or supplies `\"vendor\": \"{}\"` in the network",
                    Excerpt(id)
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_cpe, is_purl, is_serial_number, known_question};

    #[test]
    fn question_ids_of_each_questionnaire_are_known() {
        for id in [
            "GV.SC-05",
            "PR.AA-03",
            "HICP-1",
            "HICP-7",
            "HICP-10",
            "ctl-mfa",
            "ctl-encryption-at-rest",
            "ctl-sbom-provided",
        ] {
            assert!(known_question(id), "{id}");
        }
        for id in [
            "GV.SC-5",
            "gv.sc-05",
            "GV.SC-05a",
            "HICP-0",
            "HICP-07",
            "HICP-11",
            "hicp-7",
            "7.M.D",
            "ctl-",
            "ctl-mfa2",
            "ctl-encryption_at_rest",
            "",
        ] {
            assert!(!known_question(id), "{id}");
        }
    }

    #[test]
    fn product_references() {
        assert!(is_purl(
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        ));
        assert!(is_purl("pkg:generic/meridian/edi-gateway@13.1"));
        assert!(!is_purl("pkg:maven"));
        assert!(!is_purl("maven/log4j"));
        assert!(!is_purl("pkg:npm/a b"));
        assert!(is_cpe("cpe:2.3:a:treck:tcp\\/ip:6.0.1.66:*:*:*:*:*:*:*"));
        assert!(is_cpe("cpe:/a:apache:log4j:2.14.1"));
        assert!(!is_cpe("cpe:2.3:a:treck"));
        assert!(is_serial_number(
            "urn:uuid:5a4d2b3c-1111-4c2d-9e8f-0123456789ab"
        ));
        assert!(!is_serial_number("urn:uuid:5a4d2b3c"));
        assert!(!is_serial_number("5a4d2b3c-1111-4c2d-9e8f-0123456789ab"));
    }
}
