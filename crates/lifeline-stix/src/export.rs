//! An incident's shareable facts as a STIX 2.1 bundle.
//!
//! What goes out: the organisation (`identity`), the incident (`incident`: its title,
//! kind, what is down and for how long), the impact summary (`note` on the incident:
//! who runs short of what and when, time to survive against time to recover), one
//! `vulnerability` per open KEV finding of a scan (with its CVE as an external reference)
//! and the affected product as `software`, the indicators and observed data the
//! responders give, and the relationships between them. Every object carries
//! `object_marking_refs` to the official TLP 2.0 marking definition of the chosen level,
//! and the bundle carries that definition. Tasks, decisions, notes, people and partner
//! communication on the timeline stay home.
//!
//! Ids are deterministic ([`crate::ids`]); `created` is the declaration time and
//! `modified` the time the facts are as of, so exporting the same timeline again gives the
//! same bundle, byte for byte, and a later export new versions of the same objects.

use lifeline_response::incident::{Incident, IncidentStatus};
use lifeline_share::tlp::Tlp;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::findings::KevFindings;
use crate::ids::{canonical_json, object_id, sco_id, timestamp};
use crate::{Bundle, StixErrors};

/// Who is sharing: the organisation every exported object is `created_by_ref`.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// A stable key for the organisation (its id in the partner directory, else its name in
    /// the database): the seed of every id, so two organisations never share an id.
    pub key: String,
    /// The name partners see.
    pub name: String,
    /// STIX industry sectors (`healthcare`, `manufacturing`, ...); may be empty.
    pub sectors: Vec<String>,
}

/// An indicator the responders give (a STIX pattern, usually from forensics).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub pattern: String,
    /// `stix` (the default), `snort`, `suricata`, `sigma`, `yara`, ...
    #[serde(default = "stix_pattern")]
    pub pattern_type: String,
    #[serde(with = "time::serde::rfc3339")]
    pub valid_from: OffsetDateTime,
    /// STIX indicator types (`malicious-activity`, `compromised`, ...).
    #[serde(default)]
    pub indicator_types: Vec<String>,
}

fn stix_pattern() -> String {
    "stix".to_owned()
}

/// Observed data: what was seen, when and how often; `objects` are STIX
/// cyber-observables without ids (`{"type": "ipv4-addr", "value": "198.51.100.7"}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservedInput {
    #[serde(with = "time::serde::rfc3339")]
    pub first_observed: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_observed: OffsetDateTime,
    pub number_observed: u32,
    pub objects: Vec<Map<String, Value>>,
}

/// The file `lifeline share export --indicators FILE` reads.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observables {
    #[serde(default)]
    pub indicators: Vec<IndicatorInput>,
    #[serde(default)]
    pub observed: Vec<ObservedInput>,
}

impl Observables {
    /// Reads the JSON file; errors name the member (`observed[0].first_observed`).
    pub fn from_str(text: &str, origin: &str) -> Result<Observables, ExportError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let path = e.path().to_string();
            ExportError::Input {
                origin: origin.to_owned(),
                path: if path == "." {
                    "(document)".to_owned()
                } else {
                    path
                },
                message: lifeline_text::excerpt_to(&e.into_inner().to_string(), 300).into_owned(),
            }
        })
    }
}

/// What to export and how to mark it.
#[derive(Debug, Clone)]
pub struct ExportOptions<'a> {
    /// The incident's id in the store (`inc_…`).
    pub incident_id: &'a str,
    pub identity: &'a Identity,
    /// The marking of every object.
    pub tlp: Tlp,
    /// The time the facts are as of (the last timeline entry's): every object's
    /// `modified` (never before the declaration).
    pub as_of: OffsetDateTime,
    /// KEV findings of a scan of the affected products.
    pub findings: Option<&'a KevFindings>,
    pub observables: &'a Observables,
}

/// Why an incident could not be exported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExportError {
    #[error("{origin}: {path}: {message}")]
    Input {
        origin: String,
        path: String,
        message: String,
    },
    /// The bundle built does not pass lifeline's own import checks (an indicator or an
    /// observable given with properties STIX does not allow).
    #[error("the bundle does not validate:\n{0}")]
    Invalid(StixErrors),
}

/// Builds the bundle. The result has passed [`crate::import()`]'s checks.
pub fn export(incident: &Incident, options: &ExportOptions<'_>) -> Result<Bundle, ExportError> {
    let mut out = Builder::new(incident, options);
    out.build()?;
    let objects = out.objects;
    let bundle_id = object_id(
        "bundle",
        &[
            &options.identity.key,
            options.incident_id,
            &canonical_json(&Value::Array(objects.clone())),
        ],
    );
    let bundle = Bundle {
        id: bundle_id,
        objects,
    };
    crate::import::validate(&bundle.to_value()).map_err(ExportError::Invalid)?;
    Ok(bundle)
}

struct Builder<'a> {
    incident: &'a Incident,
    options: &'a ExportOptions<'a>,
    created: String,
    modified: String,
    identity_id: String,
    incident_stix_id: String,
    objects: Vec<Value>,
    relationships: Vec<Value>,
}

impl<'a> Builder<'a> {
    fn new(incident: &'a Incident, options: &'a ExportOptions<'a>) -> Builder<'a> {
        let declared = incident.declaration.declared_at;
        let key = options.identity.key.as_str();
        Builder {
            incident,
            options,
            created: timestamp(declared),
            modified: timestamp(options.as_of.max(declared)),
            identity_id: object_id("identity", &[key]),
            incident_stix_id: object_id("incident", &[key, options.incident_id]),
            objects: Vec::new(),
            relationships: Vec::new(),
        }
    }

    /// The id of an object of this incident.
    fn id(&self, kind: &str, parts: &[&str]) -> String {
        let mut all = vec![self.options.identity.key.as_str(), self.options.incident_id];
        all.extend_from_slice(parts);
        object_id(kind, &all)
    }

    /// A domain object's common properties, then `properties`.
    fn sdo(&self, kind: &str, id: &str, properties: Value) -> Value {
        let mut object = Map::new();
        object.insert("type".into(), json!(kind));
        object.insert("spec_version".into(), json!("2.1"));
        object.insert("id".into(), json!(id));
        if id != self.identity_id {
            object.insert("created_by_ref".into(), json!(self.identity_id));
        }
        object.insert("created".into(), json!(self.created));
        object.insert("modified".into(), json!(self.modified));
        if let Value::Object(properties) = properties {
            object.extend(properties);
        }
        object.insert(
            "object_marking_refs".into(),
            json!([self.options.tlp.marking_definition_id()]),
        );
        Value::Object(object)
    }

    fn relate(&mut self, source: &str, kind: &str, target: &str) {
        let id = self.id("relationship", &[kind, source, target]);
        let relationship = self.sdo(
            "relationship",
            &id,
            json!({"relationship_type": kind, "source_ref": source, "target_ref": target}),
        );
        self.relationships.push(relationship);
    }

    fn build(&mut self) -> Result<(), ExportError> {
        self.objects.push(self.options.tlp.marking_definition());
        let mut identity = json!({
            "name": self.options.identity.name,
            "identity_class": "organization",
        });
        if !self.options.identity.sectors.is_empty() {
            identity["sectors"] = json!(self.options.identity.sectors);
        }
        let identity_id = self.identity_id.clone();
        self.objects
            .push(self.sdo("identity", &identity_id, identity));

        let declaration = &self.incident.declaration;
        let incident = json!({
            "name": declaration.title,
            "description": incident_description(self.incident),
            "labels": [declaration.kind.as_str()],
            "external_references": [{
                "source_name": "lifeline",
                "description": "the incident's id in the reporting organisation's lifeline",
                "external_id": self.options.incident_id,
            }],
        });
        let incident_id = self.incident_stix_id.clone();
        self.objects
            .push(self.sdo("incident", &incident_id, incident));

        let (abstract_, content) = impact_summary(self.incident);
        let note_id = self.id("note", &["impact"]);
        let note = json!({
            "abstract": abstract_,
            "content": content,
            "authors": [self.options.identity.name],
            "object_refs": [incident_id],
        });
        self.objects.push(self.sdo("note", &note_id, note));

        self.vulnerabilities();
        self.indicators();
        self.observed()?;
        let relationships = std::mem::take(&mut self.relationships);
        self.objects.extend(relationships);
        Ok(())
    }

    fn vulnerabilities(&mut self) {
        let Some(findings) = self.options.findings else {
            return;
        };
        let incident_id = self.incident_stix_id.clone();
        let mut seen: Vec<String> = Vec::new();
        for product in &findings.products {
            let mut contributing = Map::new();
            contributing.insert("name".into(), json!(product.name));
            if let Some(version) = &product.version {
                contributing.insert("version".into(), json!(version));
            }
            let software_id = sco_id("software", &contributing);
            let mut software = Map::new();
            software.insert("type".into(), json!("software"));
            software.insert("spec_version".into(), json!("2.1"));
            software.insert("id".into(), json!(software_id));
            software.extend(contributing);
            software.insert(
                "object_marking_refs".into(),
                json!([self.options.tlp.marking_definition_id()]),
            );
            if !self.objects.iter().any(|o| o["id"] == json!(software_id)) {
                self.objects.push(Value::Object(software));
                self.relate(&incident_id, "related-to", &software_id);
            }
            for finding in &product.findings {
                let vulnerability_id = self.id("vulnerability", &[&finding.cve]);
                if !seen.contains(&finding.cve) {
                    seen.push(finding.cve.clone());
                    let mut kev = vec![format!(
                        "Listed in CISA's Known Exploited Vulnerabilities catalogue{}",
                        finding
                            .date_added
                            .as_deref()
                            .map(|d| format!(" since {d}"))
                            .unwrap_or_default()
                    )];
                    if let Some(due) = &finding.due_date {
                        kev.push(format!("remediation due {due}"));
                    }
                    if finding.ransomware {
                        kev.push("known use in ransomware campaigns".to_owned());
                    }
                    let mut description = String::new();
                    if let Some(summary) = &finding.summary {
                        description.push_str(&format!("{summary}. "));
                    }
                    description.push_str(&format!(
                        "Found in {} of {}{}. {}.",
                        finding.component,
                        product.name,
                        product
                            .version
                            .as_deref()
                            .map(|v| format!(" {v}"))
                            .unwrap_or_default(),
                        kev.join("; ")
                    ));
                    if !finding.fixed_versions.is_empty() {
                        description
                            .push_str(&format!(" Fixed in {}.", finding.fixed_versions.join(", ")));
                    }
                    if let Some(action) = &finding.required_action {
                        description.push_str(&format!(" Required action: {action}"));
                    }
                    let mut labels = vec!["kev"];
                    if finding.ransomware {
                        labels.push("known-ransomware-campaign-use");
                    }
                    let vulnerability = json!({
                        "name": finding.cve,
                        "description": description,
                        "labels": labels,
                        "external_references": [{
                            "source_name": "cve",
                            "external_id": finding.cve,
                        }],
                    });
                    self.objects
                        .push(self.sdo("vulnerability", &vulnerability_id, vulnerability));
                    self.relate(&incident_id, "related-to", &vulnerability_id);
                }
                self.relate(&vulnerability_id, "related-to", &software_id);
            }
        }
        // One relationship per pair, whatever the scan repeated.
        let mut ids: Vec<Value> = Vec::new();
        self.relationships.retain(|r| {
            let id = r["id"].clone();
            if ids.contains(&id) {
                false
            } else {
                ids.push(id);
                true
            }
        });
    }

    fn indicators(&mut self) {
        let incident_id = self.incident_stix_id.clone();
        for indicator in &self.options.observables.indicators {
            let id = self.id("indicator", &[&indicator.pattern_type, &indicator.pattern]);
            let mut properties = json!({
                "name": indicator.name,
                "pattern": indicator.pattern,
                "pattern_type": indicator.pattern_type,
                "valid_from": timestamp(indicator.valid_from),
            });
            // STIX recommends both a name and a description (stix2-validator warns).
            properties["description"] =
                json!(indicator.description.clone().unwrap_or_else(|| format!(
                    "An indicator of the incident \"{}\"",
                    self.incident.declaration.title
                )));
            if !indicator.indicator_types.is_empty() {
                properties["indicator_types"] = json!(indicator.indicator_types);
            }
            self.objects.push(self.sdo("indicator", &id, properties));
            self.relate(&id, "related-to", &incident_id);
        }
    }

    fn observed(&mut self) -> Result<(), ExportError> {
        let incident_id = self.incident_stix_id.clone();
        for (i, observed) in self.options.observables.observed.iter().enumerate() {
            let mut refs: Vec<String> = Vec::new();
            for (j, object) in observed.objects.iter().enumerate() {
                let (id, sco) =
                    observable(object, self.options.tlp).map_err(|(field, message)| {
                        ExportError::Input {
                            origin: "observables".to_owned(),
                            path: format!("observed[{i}].objects[{j}]{field}"),
                            message,
                        }
                    })?;
                if !self.objects.iter().any(|o| o["id"] == json!(id)) {
                    self.objects.push(sco);
                }
                if !refs.contains(&id) {
                    refs.push(id);
                }
            }
            let id = self.id(
                "observed-data",
                &[
                    &canonical_json(&json!(refs)),
                    &timestamp(observed.first_observed),
                    &timestamp(observed.last_observed),
                ],
            );
            let properties = json!({
                "first_observed": timestamp(observed.first_observed),
                "last_observed": timestamp(observed.last_observed),
                "number_observed": observed.number_observed,
                "object_refs": refs,
            });
            self.objects
                .push(self.sdo("observed-data", &id, properties));
            self.relate(&id, "related-to", &incident_id);
        }
        Ok(())
    }
}

/// The id-contributing properties of the cyber-observable types lifeline exports (STIX
/// 2.1, each type's section).
fn contributing(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "ipv4-addr" | "ipv6-addr" | "domain-name" | "url" | "email-addr" | "mac-addr" => &["value"],
        "file" => &["hashes", "name", "extensions", "parent_directory_ref"],
        "software" => &["name", "cpe", "swid", "vendor", "version"],
        "autonomous-system" => &["number"],
        "mutex" => &["name"],
        "directory" => &["path"],
        _ => return None,
    })
}

/// A given observable with its STIX id and marking; or (the member at fault, why).
fn observable(object: &Map<String, Value>, tlp: Tlp) -> Result<(String, Value), (String, String)> {
    let kind = match object.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        _ => {
            return Err((
                ".type".into(),
                "expected the observable's type, a string".into(),
            ));
        }
    };
    let Some(properties) = contributing(&kind) else {
        return Err((
            ".type".into(),
            format!(
                "`{}`: lifeline exports observables of type ipv4-addr, ipv6-addr, domain-name, \
                 url, email-addr, mac-addr, file, software, autonomous-system, mutex and \
                 directory",
                lifeline_text::excerpt(&kind)
            ),
        ));
    };
    for reserved in [
        "id",
        "spec_version",
        "object_marking_refs",
        "granular_markings",
    ] {
        if object.contains_key(reserved) {
            return Err((
                format!(".{reserved}"),
                "lifeline sets this property itself; leave it out".into(),
            ));
        }
    }
    let mut key = Map::new();
    for property in properties {
        if let Some(value) = object.get(*property) {
            key.insert((*property).to_owned(), value.clone());
        }
    }
    if key.is_empty() {
        return Err((
            String::new(),
            format!(
                "a `{kind}` observable needs at least one of {}",
                properties.join(", ")
            ),
        ));
    }
    let id = sco_id(&kind, &key);
    let mut sco = Map::new();
    sco.insert("type".into(), json!(kind));
    sco.insert("spec_version".into(), json!("2.1"));
    sco.insert("id".into(), json!(id));
    for (name, value) in object {
        if name != "type" {
            sco.insert(name.clone(), value.clone());
        }
    }
    sco.insert(
        "object_marking_refs".into(),
        json!([tlp.marking_definition_id()]),
    );
    Ok((id, Value::Object(sco)))
}

/// A number of days or units for people: at most one decimal, no trailing zero.
fn num(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

fn incident_description(incident: &Incident) -> String {
    let declaration = &incident.declaration;
    let down: Vec<String> = incident
        .impact
        .entities
        .iter()
        .map(|e| match &e.name {
            Some(name) => format!("{name} ({})", e.id),
            None => e.id.clone(),
        })
        .collect();
    let capacity = if declaration.capacity_factor == 0.0 {
        "fully down".to_owned()
    } else {
        format!(
            "at {}% of capacity",
            num(declaration.capacity_factor * 100.0)
        )
    };
    let status = match (incident.status, incident.closed_at) {
        (IncidentStatus::Closed, Some(at)) => format!("Closed {}.", timestamp(at)),
        (IncidentStatus::Closed, None) => "Closed.".to_owned(),
        (IncidentStatus::Open, _) => "Open.".to_owned(),
    };
    format!(
        "{} incident declared {}: {} {capacity}, expected to recover in {} days. {status}",
        declaration.kind.as_str(),
        timestamp(declaration.declared_at),
        down.join(", "),
        num(incident.impact.expected_ttr),
    )
}

/// The note's abstract and content: what runs short, where and when.
fn impact_summary(incident: &Incident) -> (String, String) {
    let impact = &incident.impact;
    let short: Vec<_> = impact
        .demand
        .iter()
        .filter(|d| d.first_stockout_day.is_some())
        .collect();
    let abstract_ = if short.is_empty() {
        format!(
            "No patient-supply shortfall expected over {} days",
            impact.days
        )
    } else {
        format!(
            "{} of {} supply lines run short; the first on day {}",
            short.len(),
            impact.demand.len(),
            impact.first_stockout_day.unwrap_or_default()
        )
    };
    let mut lines = vec![format!(
        "Time to survive {} days against an expected time to recover of {} days (network {}).",
        num(impact.stress.tts),
        num(impact.expected_ttr),
        impact.network
    )];
    if !impact.vendors.is_empty() {
        lines.push(format!("Vendors affected: {}.", impact.vendors.join(", ")));
    }
    for demand in &short {
        let at = demand
            .runs_short_at
            .map(|t| format!(" ({})", timestamp(t)))
            .unwrap_or_default();
        lines.push(format!(
            "- {}{}: {} runs short on day {}{at}; {} days short, {} units unmet.",
            demand.site.as_deref().unwrap_or(&demand.id),
            if demand.site.is_some() {
                format!(" ({})", demand.id)
            } else {
                String::new()
            },
            demand.material,
            demand.first_stockout_day.unwrap_or_default(),
            demand.shortage_days,
            num(demand.unmet_units),
        ));
    }
    (abstract_, lines.join("\n"))
}
