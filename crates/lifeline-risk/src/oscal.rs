//! OSCAL 1.1 out: the scored register as NIST OSCAL assessment results and a plan of action
//! and milestones (POA&M), in JSON, for GRC tools.
//!
//! Mapping (the same in both documents, with the same UUIDs, so a tool can join them):
//! - each vendor is a `party` (an organisation) in `metadata`, the subject of its
//!   observations; its products are `components` (type `software`) it is `provider` of;
//! - observations keep what the vendor **attested** (controls, questionnaire answers:
//!   method `INTERVIEW`, or `EXAMINE` when evidence backs them; origin: the vendor) apart
//!   from what was **observed** (findings in its products: method `TEST`, type `finding`;
//!   origin: the lifeline tool; past incidents: type `historic`, origin: the assessor) and
//!   from the network's stress test; each carries a `basis` prop in lifeline's namespace
//!   [`NS`];
//! - one risk per vendor with its likelihood, impact, risk and tier as facets, its drivers
//!   as facets with their weights, and what would lower its tier as recommended
//!   remediations; one risk per thing to fix, with a deadline and a planned milestone;
//! - assessment-results findings: one per control, per answered question and per open
//!   vulnerability finding, targeting the control objective (`ctl-mfa`, `GV.SC-05`,
//!   `ctl-vulnerability-management`), satisfied or not;
//! - POA&M items: the findings to fix (deadline: the KEV due date where there is one, else
//!   [`OscalOptions::patch_days`]), the controls to put in place or to evidence, the
//!   questionnaire gaps, and the evidence to renew before it expires.
//!
//! Deterministic: UUIDs are version 5, derived from what they identify (a vendor's party,
//! a risk and its POA&M item keep their UUID from one assessment to the next; observations
//! and findings are per assessment day; the document's own UUID is derived from its
//! content), and every timestamp is midnight UTC of `as_of` or a date in the register.
//!
//! Text from the register (names, comments, references) goes into OSCAL's Markdown fields
//! (titles, descriptions, remarks) escaped, and into plain fields (names, props) on one
//! line; empty text gets a fallback, since OSCAL strings may not be empty.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value, json};
use time::{Date, Duration};
use uuid::Uuid;

use crate::assessment::{
    AnswerAssessment, Basis, ControlAssessment, ControlState, Driver, FindingRef, RiskRegister,
    Scored, VendorRisk,
};
use crate::date;
use crate::model::{AnswerValue, ControlId, Evidence, Register, Vendor};

/// The namespace of lifeline's own props and facets.
pub const NS: &str = "https://example.invalid/lifeline/ns/oscal";
/// NIST's namespace (the default for props; the naming system of generic facets).
const NIST: &str = "http://csrc.nist.gov/ns/oscal";
/// The objective open vulnerability findings count against.
const VULNERABILITY_OBJECTIVE: ControlId = ControlId::VulnerabilityManagement;

/// The OSCAL version the documents declare (both validate against the 1.1.2 and 1.1.3
/// schemas; compliance-trestle 3.x loads 1.1.x).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OscalVersion {
    V1_1_2,
    #[default]
    V1_1_3,
}

impl OscalVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            OscalVersion::V1_1_2 => "1.1.2",
            OscalVersion::V1_1_3 => "1.1.3",
        }
    }
}

impl fmt::Display for OscalVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OSCAL version this crate does not write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported OSCAL version `{0}`: expected 1.1.2 or 1.1.3")]
pub struct UnsupportedVersion(pub String);

impl FromStr for OscalVersion {
    type Err = UnsupportedVersion;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "1.1.2" => Ok(OscalVersion::V1_1_2),
            "1.1.3" => Ok(OscalVersion::V1_1_3),
            other => Err(UnsupportedVersion(other.to_owned())),
        }
    }
}

/// What the documents say about who assessed, where the inputs are, and the deadlines.
#[derive(Debug, Clone, PartialEq)]
pub struct OscalOptions {
    pub version: OscalVersion,
    /// The organisation that ran the assessment (the `assessor` party).
    pub assessor: String,
    /// lifeline's version, named on the tool component.
    pub tool_version: String,
    /// Where the vendor register is (a path or URL), for the back matter.
    pub register_href: Option<String>,
    /// Where the network is, for the back matter.
    pub network_href: Option<String>,
    /// Days to fix an open finding that has no KEV due date. Default 30: the patch window
    /// of the Health Sector Coordinating Council's model contract language (MC2 v2, Nov
    /// 2025; `shared/research/response-and-vendor-facts.md`).
    pub patch_days: i64,
    /// Days to put a missing control in place or close a questionnaire gap. Default 90
    /// (lifeline's choice: one quarter, a contract-amendment cycle).
    pub control_days: i64,
    /// Days to supply or renew evidence (an unknown, unevidenced or expired control).
    /// Default 30 (lifeline's choice).
    pub evidence_days: i64,
    /// Evidence expiring within this many days gets a POA&M item to renew it by its expiry
    /// date. Default 90 (the per-vendor report's longest expiry window).
    pub renewal_window_days: i64,
}

impl Default for OscalOptions {
    fn default() -> Self {
        OscalOptions {
            version: OscalVersion::default(),
            assessor: "Third-party risk management".to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            register_href: None,
            network_href: None,
            patch_days: 30,
            control_days: 90,
            evidence_days: 30,
            renewal_window_days: 90,
        }
    }
}

/// OSCAL assessment results (`{"assessment-results": {...}}`) for the scored register.
pub fn assessment_results(
    risks: &RiskRegister,
    register: &Register,
    options: &OscalOptions,
) -> Value {
    let mut built = Builder::new(risks, register, options).build();
    let mut result = Map::new();
    result.insert("uuid".into(), json!(built.ids.result()));
    result.insert(
        "title".into(),
        json!(format!(
            "Vendor cyber-risk assessment of {} on {}",
            built.network_md, built.as_of_text
        )),
    );
    result.insert(
        "description".into(),
        json!(format!(
            "The vendors of the {} network scored on {}: what each vendor attested (controls, \
             questionnaire answers and their evidence) kept apart from what was observed (open \
             findings in its products, past incidents), weighed by what its failure would do to \
             the network (stress test). {} vendors.",
            built.network_md,
            built.as_of_text,
            risks.vendors.len()
        )),
    );
    result.insert("start".into(), json!(built.as_of_ts));
    result.insert("end".into(), json!(built.as_of_ts));
    result.insert(
        "props".into(),
        json!([
            prop("network", &built.network),
            prop("vendor-count", &risks.vendors.len().to_string())
        ]),
    );
    result.insert("local-definitions".into(), built.local_definitions());
    result.insert("reviewed-controls".into(), built.reviewed_controls());
    put_list(
        &mut result,
        "observations",
        values(std::mem::take(&mut built.observations)),
    );
    put_list(
        &mut result,
        "risks",
        values(std::mem::take(&mut built.risks)),
    );
    put_list(
        &mut result,
        "findings",
        values(std::mem::take(&mut built.findings)),
    );

    let mut body = Map::new();
    body.insert(
        "metadata".into(),
        built.metadata("Vendor cyber-risk assessment results"),
    );
    body.insert(
        "import-ap".into(),
        json!({
            "href": format!("#{}", built.ids.resource("assessment-plan")),
            "remarks": "No separate assessment plan: the method is lifeline's vendor risk scoring \
                        (docs/risk-scoring.md) over the vendor register, described in the back matter."
        }),
    );
    body.insert("results".into(), json!([Value::Object(result)]));
    body.insert("back-matter".into(), built.back_matter(true));
    document("assessment-results", &built.ids, body)
}

/// An OSCAL plan of action and milestones (`{"plan-of-action-and-milestones": {...}}`):
/// one item per finding to fix, control to put in place or evidence, questionnaire gap and
/// evidence to renew, each with its risk, deadline and milestone. `None` when there is
/// nothing to plan (OSCAL requires at least one item).
pub fn poam(risks: &RiskRegister, register: &Register, options: &OscalOptions) -> Option<Value> {
    let mut built = Builder::new(risks, register, options).build();
    if built.items.is_empty() {
        return None;
    }
    let mut observations = BTreeSet::new();
    let mut risk_ids = BTreeSet::new();
    let mut finding_ids = BTreeSet::new();
    for item in &built.items {
        observations.extend(item.observations.iter().cloned());
        risk_ids.extend(item.risks.iter().cloned());
        finding_ids.extend(item.findings.iter().cloned());
    }
    let keep = |elements: Vec<Element>, wanted: &BTreeSet<String>| -> Vec<Value> {
        elements
            .into_iter()
            .filter(|e| wanted.contains(&e.uuid))
            .map(|e| e.value)
            .collect()
    };
    // The observations the kept risks and findings point at come along.
    let kept_risks = built.risks.iter().filter(|e| risk_ids.contains(&e.uuid));
    let kept_findings = built
        .findings
        .iter()
        .filter(|e| finding_ids.contains(&e.uuid));
    for element in kept_risks.chain(kept_findings) {
        if let Some(list) = element.value["related-observations"].as_array() {
            let uuids = list.iter().filter_map(|o| o["observation-uuid"].as_str());
            observations.extend(uuids.map(str::to_owned));
        }
    }

    let mut body = Map::new();
    body.insert(
        "metadata".into(),
        built.metadata("Vendor cyber-risk plan of action and milestones"),
    );
    body.insert(
        "system-id".into(),
        json!({ "identifier-type": "https://ietf.org/rfc/rfc4122", "id": built.ids.system() }),
    );
    body.insert("local-definitions".into(), built.local_definitions());
    put_list(
        &mut body,
        "observations",
        keep(std::mem::take(&mut built.observations), &observations),
    );
    put_list(
        &mut body,
        "risks",
        keep(std::mem::take(&mut built.risks), &risk_ids),
    );
    put_list(
        &mut body,
        "findings",
        keep(std::mem::take(&mut built.findings), &finding_ids),
    );
    body.insert(
        "poam-items".into(),
        Value::Array(
            std::mem::take(&mut built.items)
                .into_iter()
                .map(|i| i.value)
                .collect(),
        ),
    );
    body.insert("back-matter".into(), built.back_matter(false));
    Some(document("plan-of-action-and-milestones", &built.ids, body))
}

/// The top-level object, with the document's UUID derived from its content.
fn document(root: &str, ids: &Ids, body: Map<String, Value>) -> Value {
    // The content's fingerprint, streamed (the documents can run to hundreds of megabytes).
    let mut digest = Fnv1a(0xcbf2_9ce4_8422_2325);
    let fingerprint = match serde_json::to_writer(&mut digest, &body) {
        Ok(()) => format!("{:016x}", digest.0),
        Err(_) => unreachable!("a JSON value always serialises, and the digest never fails"),
    };
    let mut doc = Map::new();
    doc.insert(
        "uuid".into(),
        json!(ids.dated(&["document", root, &fingerprint])),
    );
    doc.extend(body);
    json!({ root: Value::Object(doc) })
}

/// 64-bit FNV-1a over what is written to it.
struct Fnv1a(u64);

impl std::io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The JSON of each element, in order.
fn values(elements: Vec<Element>) -> Vec<Value> {
    elements.into_iter().map(|e| e.value).collect()
}

fn put_list(map: &mut Map<String, Value>, key: &str, values: Vec<Value>) {
    if !values.is_empty() {
        map.insert(key.into(), Value::Array(values));
    }
}

/// Deterministic UUIDs (version 5 in lifeline's OSCAL namespace).
struct Ids {
    namespace: Uuid,
    network: String,
    as_of: String,
    /// The assessor party, the tool component and the platform (used on every element).
    assessor: String,
    tool: String,
    platform: String,
}

impl Ids {
    fn of(&self, parts: &[&str]) -> String {
        Uuid::new_v5(&self.namespace, parts.join("\u{1f}").as_bytes()).to_string()
    }
    fn lasting(&self, parts: &[&str]) -> String {
        let mut all = vec![self.network.as_str()];
        all.extend_from_slice(parts);
        self.of(&all)
    }
    fn dated(&self, parts: &[&str]) -> String {
        let mut all = vec![self.network.as_str(), self.as_of.as_str()];
        all.extend_from_slice(parts);
        self.of(&all)
    }
    fn new(network: &str, as_of: &str, assessor: &str) -> Ids {
        let namespace = Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes());
        let of =
            |parts: &[&str]| Uuid::new_v5(&namespace, parts.join("\u{1f}").as_bytes()).to_string();
        Ids {
            namespace,
            network: network.to_owned(),
            as_of: as_of.to_owned(),
            assessor: of(&["assessor", assessor]),
            tool: of(&["tool", "lifeline"]),
            platform: of(&["assessment-platform", "lifeline"]),
        }
    }
    fn assessor(&self) -> String {
        self.assessor.clone()
    }
    fn tool(&self) -> String {
        self.tool.clone()
    }
    fn platform(&self) -> String {
        self.platform.clone()
    }
    fn result(&self) -> String {
        self.dated(&["result"])
    }
    fn system(&self) -> String {
        self.lasting(&["system"])
    }
    fn resource(&self, what: &str) -> String {
        self.dated(&["resource", what])
    }
}

/// One element with its UUID.
struct Element {
    uuid: String,
    value: Value,
}

/// One POA&M item and what it points at.
struct Item {
    value: Value,
    observations: Vec<String>,
    risks: Vec<String>,
    findings: Vec<String>,
}

struct Builder<'a> {
    risks: &'a RiskRegister,
    options: &'a OscalOptions,
    ids: Ids,
    network: String,
    network_md: String,
    as_of_text: String,
    as_of_ts: String,
    used: HashSet<String>,
    parties: Vec<Value>,
    components: Vec<Value>,
    /// Components by (vendor id, product id).
    component_ids: HashMap<(String, String), String>,
    /// The register's vendors by id (the first of a repeated id).
    vendors: HashMap<&'a str, &'a Vendor>,
    objective_set: HashSet<String>,
    observations: Vec<Element>,
    risks_out: Vec<Element>,
    findings: Vec<Element>,
    items: Vec<Item>,
    objectives: Vec<String>,
}

/// What the builder hands the two documents.
struct Built<'a> {
    risks_in: &'a RiskRegister,
    options: &'a OscalOptions,
    ids: Ids,
    network: String,
    network_md: String,
    as_of_text: String,
    as_of_ts: String,
    parties: Vec<Value>,
    components: Vec<Value>,
    observations: Vec<Element>,
    risks: Vec<Element>,
    findings: Vec<Element>,
    items: Vec<Item>,
    objectives: Vec<String>,
}

impl<'a> Builder<'a> {
    fn new(risks: &'a RiskRegister, register: &'a Register, options: &'a OscalOptions) -> Self {
        let network = clean_or(&risks.network, "network");
        let network_md = md_or(&risks.network, "network");
        let as_of_text = date::format(risks.as_of);
        let ids = Ids::new(&network, &as_of_text, &options.assessor);
        Builder {
            risks,
            options,
            ids,
            network,
            network_md,
            as_of_ts: timestamp(risks.as_of),
            as_of_text,
            used: HashSet::new(),
            parties: Vec::new(),
            components: Vec::new(),
            component_ids: HashMap::new(),
            vendors: register
                .vendors
                .iter()
                .rev()
                .map(|v| (v.id.as_str(), v))
                .collect(),
            objective_set: HashSet::new(),
            observations: Vec::new(),
            risks_out: Vec::new(),
            findings: Vec::new(),
            items: Vec::new(),
            objectives: Vec::new(),
        }
    }

    /// The UUID of a key, unique in this document (a repeated key gets a counter).
    fn unique(&mut self, parts: &[&str]) -> String {
        let mut uuid = self.ids.of(parts);
        let mut n = 1usize;
        while !self.used.insert(uuid.clone()) {
            n += 1;
            let counter = n.to_string();
            let mut again = parts.to_vec();
            again.push(&counter);
            uuid = self.ids.of(&again);
        }
        uuid
    }

    /// Persistent: the same subject keeps its UUID across assessments.
    fn lasting(&mut self, parts: &[&str]) -> String {
        let network = self.network.clone();
        let mut all = vec![network.as_str()];
        all.extend_from_slice(parts);
        self.unique(&all)
    }

    /// Per assessment day.
    fn dated(&mut self, parts: &[&str]) -> String {
        let (network, as_of) = (self.network.clone(), self.as_of_text.clone());
        let mut all = vec![network.as_str(), as_of.as_str()];
        all.extend_from_slice(parts);
        self.unique(&all)
    }

    fn objective(&mut self, id: &str) {
        if self.objective_set.insert(id.to_owned()) {
            self.objectives.push(id.to_owned());
        }
    }

    fn build(mut self) -> Built<'a> {
        for id in [
            self.ids.tool(),
            self.ids.platform(),
            self.ids.assessor(),
            self.ids.result(),
            self.ids.system(),
        ] {
            self.used.insert(id);
        }
        for what in ["assessment-plan", "register", "network", "kev"] {
            self.used.insert(self.ids.resource(what));
        }
        for risk in &self.risks.vendors {
            self.vendor(risk);
        }
        Built {
            risks_in: self.risks,
            options: self.options,
            ids: self.ids,
            network: self.network,
            network_md: self.network_md,
            as_of_text: self.as_of_text,
            as_of_ts: self.as_of_ts,
            parties: self.parties,
            components: self.components,
            observations: self.observations,
            risks: self.risks_out,
            findings: self.findings,
            items: self.items,
            objectives: self.objectives,
        }
    }

    fn deadline(&self, days: i64) -> Date {
        self.risks
            .as_of
            .checked_add(Duration::days(days.max(0)))
            .unwrap_or(self.risks.as_of)
    }

    fn vendor(&mut self, risk: &'a VendorRisk) {
        let vendor = self.vendors.get(risk.id.as_str()).copied();
        // The party's name is plain text; everywhere else the name is Markdown.
        let plain_name = clean_or(&risk.name, &clean_or(&risk.id, "vendor"));
        let name = md_or(&risk.name, &md_or(&risk.id, "vendor"));
        let party = self.unique(&["party", &risk.id]);
        let slot = self.risks_out.len();
        self.party(risk, &party, &plain_name);
        if let Some(vendor) = vendor {
            self.products(vendor, &party, &name);
        }
        let subject = json!({ "subject-uuid": party, "type": "party", "title": name });
        let mut vendor_observations = Vec::new();
        let ctx = VendorCtx {
            risk,
            vendor,
            name: &name,
            party: &party,
            subject: &subject,
        };

        // The vendor's own risk first, so that items can point at it.
        let vendor_risk = self.lasting(&["risk", &risk.id]);

        for control in &risk.detail.controls {
            let obs = self.control_observation(&ctx, control);
            vendor_observations.push(obs.clone());
            self.control_finding_and_item(&ctx, control, &obs, &vendor_risk);
        }
        for answer in &risk.detail.answers {
            let obs = self.answer_observation(&ctx, answer);
            vendor_observations.push(obs.clone());
            self.answer_finding_and_item(&ctx, answer, &obs, &vendor_risk);
        }
        for finding in &risk.detail.findings {
            let obs = self.finding_observation(&ctx, finding);
            vendor_observations.push(obs.clone());
            self.vulnerability_finding_and_item(&ctx, finding, &obs, &vendor_risk);
        }
        for incident in &risk.detail.incidents {
            let date_text = date::format(incident.date);
            let uuid = self.dated(&[
                "observation",
                &risk.id,
                "incident",
                &date_text,
                &incident.kind,
            ]);
            let kind = clean_or(&incident.kind, "incident");
            let kind_md = md_or(&incident.kind, "incident");
            let mut description = format!("{name} had a {kind_md} incident on {date_text}");
            if let Some(days) = incident.downtime_days {
                description.push_str(&format!(" ({} days of downtime)", number(days)));
            }
            description.push_str(&format!(
                ". It weighs {} in the likelihood today (older incidents weigh less).",
                number(incident.weight)
            ));
            let mut props = vec![
                prop("vendor-id", &risk.id),
                prop("basis", "observed"),
                prop("incident-kind", &kind),
                prop("incident-date", &date_text),
                prop("weight", &number(incident.weight)),
            ];
            if let Some(days) = incident.downtime_days {
                props.push(prop("downtime-days", &number(days)));
            }
            let mut evidence = json!({ "description": "Public report of the incident, recorded in the vendor register." });
            if let Some(source) = &incident.source {
                if let Some(href) = url(source) {
                    evidence["href"] = json!(href);
                } else {
                    evidence["description"] =
                        json!(format!("Source: {}", md_or(source, "unnamed")));
                }
            }
            let value = json!({
                "uuid": uuid,
                "title": format!("{name}: {kind_md} incident on {date_text}"),
                "description": description,
                "props": props,
                "methods": ["EXAMINE"],
                "types": ["historic"],
                "origins": [self.assessor_origin()],
                "subjects": [subject.clone()],
                "relevant-evidence": [evidence],
                "collected": self.as_of_ts,
            });
            vendor_observations.push(uuid.clone());
            self.observations.push(Element { uuid, value });
        }
        if !risk.detail.entity_impacts.is_empty() {
            let uuid = self.dated(&["observation", &risk.id, "stress-test"]);
            let mut lines = Vec::new();
            let mut props = vec![prop("vendor-id", &risk.id), prop("basis", "network")];
            for entity in &risk.detail.entity_impacts {
                let via = entity
                    .via
                    .as_deref()
                    .map(|v| format!(" (through subcontractor {})", md(v)))
                    .unwrap_or_default();
                lines.push(format!(
                    "- {}{via}: impact {}, performance impact {}, TTS {} days, TTR {}, TTS − TTR {}, REI {}",
                    md_or(&entity.entity, "entity"),
                    number(entity.impact),
                    opt_number(entity.performance_impact),
                    number(entity.tts),
                    entity.ttr.map(|t| format!("{} days", number(t))).unwrap_or_else(|| "unknown".into()),
                    opt_number(entity.gap),
                    opt_number(entity.rei),
                ));
                props.push(prop_with_class(
                    "entity",
                    &entity.entity,
                    if entity.via.is_some() {
                        "fourth-party"
                    } else {
                        "own"
                    },
                ));
            }
            let value = json!({
                "uuid": uuid,
                "title": format!("{name}: stress test of the entities it operates"),
                "description": format!(
                    "The network's stress test of the entities {name} operates (and those its subcontractors operate for us):\n\n{}",
                    lines.join("\n")
                ),
                "props": props,
                "methods": ["TEST"],
                "types": ["finding"],
                "origins": [self.tool_origin()],
                "subjects": [subject.clone()],
                "collected": self.as_of_ts,
            });
            vendor_observations.push(uuid.clone());
            self.observations.push(Element { uuid, value });
        }

        let value = self.vendor_risk(&ctx, &vendor_risk, &vendor_observations);
        // The vendor's own risk goes before the risks of its items.
        self.risks_out.insert(
            slot,
            Element {
                uuid: vendor_risk,
                value,
            },
        );
    }

    fn party(&mut self, risk: &VendorRisk, party: &str, name: &str) {
        let mut props = vec![
            prop("vendor-id", &risk.id),
            prop("tier", risk.tier.as_str()),
            prop("rank", &risk.rank.to_string()),
        ];
        if let Some(kind) = &risk.detail.kind {
            props.push(prop("vendor-kind", kind));
        }
        let mut value = json!({
            "uuid": party,
            "type": "organization",
            "name": name,
            "short-name": clean_or(&risk.id, "vendor"),
            "props": props,
        });
        if let Some(contact) = &risk.detail.contact {
            props_push(&mut value, prop("contact", contact));
            if let Some(address) = email(contact) {
                value["email-addresses"] = json!([address]);
            }
        }
        let mut remarks = Vec::new();
        if !risk.detail.subcontractors.is_empty() {
            remarks.push(format!(
                "Subcontractors (fourth parties): {}.",
                md(&risk.detail.subcontractors.join(", "))
            ));
        }
        if !risk.detail.alternatives.is_empty() {
            remarks.push(format!(
                "Could be replaced by: {}.",
                md(&risk.detail.alternatives.join(", "))
            ));
        }
        if !remarks.is_empty() {
            value["remarks"] = json!(remarks.join(" "));
        }
        self.parties.push(value);
    }

    fn products(&mut self, vendor: &Vendor, party: &str, name: &str) {
        for product in &vendor.products {
            let uuid = self.unique(&["component", &vendor.id, &product.id]);
            let title = md_or(&product.name, &md_or(&product.id, "product"));
            let mut props = vec![
                prop("vendor-id", &vendor.id),
                prop("product-id", &product.id),
            ];
            if let Some(purl) = &product.purl {
                props.push(prop("purl", purl));
            }
            if let Some(cpe) = &product.cpe {
                props.push(prop("cpe", cpe));
            }
            if let Some(sbom) = &product.sbom {
                props.push(prop("sbom", sbom));
            }
            self.components.push(json!({
                "uuid": uuid,
                "type": "software",
                "title": title,
                "description": format!("{title}, supplied by {name}."),
                "props": props,
                "status": { "state": "operational" },
                "responsible-roles": [{ "role-id": "provider", "party-uuids": [party] }],
            }));
            self.component_ids
                .entry((vendor.id.clone(), product.id.clone()))
                .or_insert(uuid);
        }
    }

    fn component(&self, vendor: &str, product: &str) -> Option<&str> {
        self.component_ids
            .get(&(vendor.to_owned(), product.to_owned()))
            .map(String::as_str)
    }

    fn tool_origin(&self) -> Value {
        json!({ "actors": [{ "type": "tool", "actor-uuid": self.ids.tool() }] })
    }

    fn assessor_origin(&self) -> Value {
        json!({ "actors": [{ "type": "party", "actor-uuid": self.ids.assessor(), "role-id": "assessor" }] })
    }

    fn vendor_origin(party: &str) -> Value {
        json!({ "actors": [{ "type": "party", "actor-uuid": party, "role-id": "provider" }] })
    }

    fn control_observation(&mut self, ctx: &VendorCtx<'_>, control: &ControlAssessment) -> String {
        let key = control.control.key();
        let uuid = self.dated(&["observation", &ctx.risk.id, "control", key]);
        let evidence: &[Evidence] = ctx
            .vendor
            .and_then(|v| v.controls.get(control.control))
            .map(|c| c.evidence.as_slice())
            .unwrap_or(&[]);
        let state = state_words(control.state);
        let mut description = format!("{}: {} ({state}).", ctx.name, control.title);
        for note in &control.notes {
            description.push_str(&format!(" {}.", md(note.trim_end_matches('.'))));
        }
        description.push_str(&format!(" Gap {} of 1.", number(control.gap)));
        let (methods, origin) = match control.state {
            ControlState::Evidenced | ControlState::Expired => {
                (json!(["EXAMINE"]), Self::vendor_origin(ctx.party))
            }
            ControlState::Attested | ControlState::Absent => {
                (json!(["INTERVIEW"]), Self::vendor_origin(ctx.party))
            }
            ControlState::Unknown => (json!(["INTERVIEW"]), self.assessor_origin()),
        };
        let mut value = json!({
            "uuid": uuid,
            "title": format!("{}: {}", ctx.name, control.title),
            "description": description,
            "props": [
                prop("vendor-id", &ctx.risk.id),
                prop("basis", "attested"),
                prop("control", key),
                prop("state", state_token(control.state)),
                prop("gap", &number(control.gap)),
            ],
            "methods": methods,
            "types": ["control-objective"],
            "origins": [origin],
            "subjects": [ctx.subject.clone()],
            "collected": self.as_of_ts,
        });
        self.attach_evidence(&mut value, evidence);
        self.observations.push(Element {
            uuid: uuid.clone(),
            value,
        });
        uuid
    }

    fn answer_observation(&mut self, ctx: &VendorCtx<'_>, answer: &AnswerAssessment) -> String {
        let uuid = self.dated(&["observation", &ctx.risk.id, "answer", &answer.question]);
        let question = clean_or(&answer.question, "question");
        let question_md = md_or(&answer.question, "question");
        let evidence: &[Evidence] = ctx
            .vendor
            .and_then(|v| v.answers.iter().find(|a| a.question == answer.question))
            .map(|a| a.evidence.as_slice())
            .unwrap_or(&[]);
        let mut description = format!(
            "{} answered `{}` to {question_md}",
            ctx.name,
            answer.answer.as_str()
        );
        if let Some(text) = &answer.text {
            description.push_str(&format!(": \"{}\"", md(text)));
        }
        description.push('.');
        if answer.expired {
            description.push_str(
                " Every piece of evidence behind the answer has expired: it counts as unanswered.",
            );
        }
        if let Some(comment) = &answer.comment {
            description.push_str(&format!(" Comment: {}", md(comment)));
        }
        let mut props = vec![
            prop("vendor-id", &ctx.risk.id),
            prop("basis", "attested"),
            prop("question", &question),
            prop("answer", answer.answer.as_str()),
            prop("expired", if answer.expired { "true" } else { "false" }),
        ];
        if let Some(gap) = answer.gap {
            props.push(prop("gap", &number(gap)));
        }
        let methods = if evidence.is_empty() {
            json!(["INTERVIEW"])
        } else {
            json!(["INTERVIEW", "EXAMINE"])
        };
        let mut value = json!({
            "uuid": uuid,
            "title": format!("{}: {question_md} answered {}", ctx.name, answer.answer.as_str()),
            "description": description,
            "props": props,
            "methods": methods,
            "types": ["control-objective"],
            "origins": [Self::vendor_origin(ctx.party)],
            "subjects": [ctx.subject.clone()],
            "collected": self.as_of_ts,
        });
        self.attach_evidence(&mut value, evidence);
        self.observations.push(Element {
            uuid: uuid.clone(),
            value,
        });
        uuid
    }

    /// `relevant-evidence` for each piece, and `expires` when the evidence that still holds
    /// all carries an expiry date (the observation lapses with the last of them).
    fn attach_evidence(&self, value: &mut Value, evidence: &[Evidence]) {
        if evidence.is_empty() {
            return;
        }
        let as_of = self.risks.as_of;
        let list: Vec<Value> = evidence.iter().map(|e| evidence_value(e, as_of)).collect();
        value["relevant-evidence"] = Value::Array(list);
        let holding: Vec<&Evidence> = evidence.iter().filter(|e| !e.expired(as_of)).collect();
        if !holding.is_empty()
            && holding.iter().all(|e| e.expires.is_some())
            && let Some(last) = holding.iter().filter_map(|e| e.expires).max()
            && representable(last)
        {
            value["expires"] = json!(timestamp(last));
        }
    }

    fn finding_observation(&mut self, ctx: &VendorCtx<'_>, finding: &FindingRef) -> String {
        let uuid = self.dated(&[
            "observation",
            &ctx.risk.id,
            "finding",
            &finding.product,
            &finding.id,
            &finding.component,
        ]);
        let product = clean_or(&finding.product, "product");
        let id = clean_or(&finding.id, "finding");
        let (id_md, product_md) = (
            md_or(&finding.id, "finding"),
            md_or(&finding.product, "product"),
        );
        let mut subjects = vec![ctx.subject.clone()];
        if let Some(component) = self.component(&ctx.risk.id, &finding.product) {
            subjects.push(
                json!({ "subject-uuid": component, "type": "component", "title": product_md }),
            );
        }
        let mut props = vec![
            prop("vendor-id", &ctx.risk.id),
            prop("basis", "observed"),
            prop("vulnerability-id", &id),
            prop("product", &product),
            prop("component", &clean_or(&finding.component, "component")),
            prop("severity", &clean_or(&finding.severity, "unknown")),
            prop("kev", if finding.kev { "true" } else { "false" }),
            prop(
                "known-ransomware-use",
                if finding.ransomware { "true" } else { "false" },
            ),
        ];
        if let Some(score) = finding.score {
            props.push(prop("cvss-score", &number(score)));
        }
        if let Some(due) = &finding.due_date {
            props.push(prop("kev-due-date", &clean_or(due, "unknown")));
        }
        for version in &finding.fixed_versions {
            props.push(prop("fixed-version", &clean_or(version, "unknown")));
        }
        let mut value = json!({
            "uuid": uuid,
            "title": format!("{id_md} in {product_md}"),
            "description": finding_sentence(ctx.name, finding),
            "props": props,
            "methods": ["TEST"],
            "types": ["finding"],
            "origins": [self.tool_origin()],
            "subjects": subjects,
            "relevant-evidence": [{ "description": format!("Scan output: {}", md_or(&finding.source, "unnamed")) }],
            "collected": self.as_of_ts,
        });
        if finding.kev {
            value["links"] = json!([{
                "href": format!("#{}", self.ids.resource("kev")),
                "rel": "reference",
                "text": "CISA Known Exploited Vulnerabilities Catalog",
            }]);
        }
        self.observations.push(Element {
            uuid: uuid.clone(),
            value,
        });
        uuid
    }

    fn control_finding_and_item(
        &mut self,
        ctx: &VendorCtx<'_>,
        control: &ControlAssessment,
        obs: &str,
        vendor_risk: &str,
    ) {
        let key = control.control.key();
        let objective = objective_id(control.control);
        self.objective(&objective);
        let satisfied = control.gap <= 0.0;
        let state = state_words(control.state);
        let finding = self.dated(&["finding", &ctx.risk.id, "control", key]);
        // What to do, by state; with the deadline it gets.
        let plan = if satisfied {
            None
        } else {
            Some(match control.state {
                ControlState::Absent => (
                    format!("Put {} in place", lower_first(control.title)),
                    self.options.control_days,
                ),
                ControlState::Unknown => (
                    format!("Attest {}, with evidence", lower_first(control.title)),
                    self.options.evidence_days,
                ),
                ControlState::Expired => (
                    format!("Renew the evidence for {}", lower_first(control.title)),
                    self.options.evidence_days,
                ),
                ControlState::Attested => (
                    format!("Provide evidence for {}", lower_first(control.title)),
                    self.options.evidence_days,
                ),
                ControlState::Evidenced => (
                    format!("Close the remaining gap in {}", lower_first(control.title)),
                    self.options.control_days,
                ),
            })
        };
        let mut item_risk = None;
        if let Some((action, days)) = &plan {
            let uuid = self.lasting(&["risk", &ctx.risk.id, "control", key]);
            let deadline = self.deadline(*days);
            let mut notes = String::new();
            for note in &control.notes {
                notes.push_str(&format!(" {}.", md(note.trim_end_matches('.'))));
            }
            let statement = format!(
                "{}'s {} is {state}; the vendor's likelihood counts a gap of {} of 1 for it.{notes}",
                ctx.name,
                lower_first(control.title),
                number(control.gap)
            );
            let item = ItemSpec {
                kind: "control",
                key: key.to_owned(),
                title: format!("{}: {action}", ctx.name),
                description: statement.clone(),
                action: action.clone(),
                deadline,
                deadline_source: format!("{days} days from the assessment"),
                observations: vec![obs.to_owned()],
                finding: finding.clone(),
                vendor_risk: vendor_risk.to_owned(),
                extra_props: vec![
                    prop("control", key),
                    prop("state", state_token(control.state)),
                ],
                facets: vec![],
                remarks: None,
            };
            self.item(ctx, &uuid, item);
            item_risk = Some(uuid);
        } else if control.state == ControlState::Evidenced {
            self.renewal_item(ctx, control.control, obs, &finding, vendor_risk);
        }
        let value = json!({
            "uuid": finding,
            "title": format!("{}: {}", ctx.name, control.title),
            "description": format!("{} is {state} at {} (gap {} of 1).", control.title, ctx.name, number(control.gap)),
            "props": [prop("vendor-id", &ctx.risk.id), prop("basis", "attested")],
            "origins": [self.tool_origin()],
            "target": {
                "type": "objective-id",
                "target-id": objective,
                "title": control.title,
                "status": { "state": if satisfied { "satisfied" } else { "not-satisfied" } },
            },
            "related-observations": [{ "observation-uuid": obs }],
        });
        self.push_finding(finding, value, item_risk);
    }

    /// Adds an assessment finding, related to the POA&M item's risk when one was raised.
    fn push_finding(&mut self, uuid: String, mut value: Value, item_risk: Option<String>) {
        if let Some(risk) = item_risk {
            value["related-risks"] = json!([{ "risk-uuid": risk }]);
        }
        self.findings.push(Element { uuid, value });
    }

    /// A control that holds today on evidence that all expires within the renewal window:
    /// renew it by the last expiry date, or the control becomes unknown.
    fn renewal_item(
        &mut self,
        ctx: &VendorCtx<'_>,
        control: ControlId,
        obs: &str,
        finding: &str,
        vendor_risk: &str,
    ) {
        let Some(attested) = ctx.vendor.and_then(|v| v.controls.get(control)) else {
            return;
        };
        let as_of = self.risks.as_of;
        let holding: Vec<&Evidence> = attested
            .evidence
            .iter()
            .filter(|e| !e.expired(as_of))
            .collect();
        if holding.is_empty() || holding.iter().any(|e| e.expires.is_none()) {
            return;
        }
        let Some(last) = holding.iter().filter_map(|e| e.expires).max() else {
            return;
        };
        if !representable(last)
            || date::days_between(as_of, last) > self.options.renewal_window_days
        {
            return;
        }
        let key = control.key();
        let uuid = self.lasting(&["risk", &ctx.risk.id, "renewal", key]);
        let kinds: Vec<String> = holding.iter().map(|e| md_or(&e.kind, "evidence")).collect();
        let action = format!(
            "Renew the evidence for {} before {}",
            lower_first(control.title()),
            date::format(last)
        );
        let item = ItemSpec {
            kind: "evidence-renewal",
            key: key.to_owned(),
            title: format!("{}: {action}", ctx.name),
            description: format!(
                "{}'s {} is evidenced by {} that expires on {} ({} days after the assessment); after that the control counts as unknown and the likelihood does not fall.",
                ctx.name,
                lower_first(control.title()),
                kinds.join(", "),
                date::format(last),
                date::days_between(as_of, last)
            ),
            action,
            deadline: last,
            deadline_source: "the evidence's expiry date".to_owned(),
            observations: vec![obs.to_owned()],
            finding: finding.to_owned(),
            vendor_risk: vendor_risk.to_owned(),
            extra_props: vec![
                prop("control", key),
                prop("evidence-expires", &date::format(last)),
            ],
            facets: vec![],
            remarks: None,
        };
        self.item(ctx, &uuid, item);
    }

    fn answer_finding_and_item(
        &mut self,
        ctx: &VendorCtx<'_>,
        answer: &AnswerAssessment,
        obs: &str,
        vendor_risk: &str,
    ) {
        let Some(gap) = answer.gap else {
            return; // `na`: not applicable, not assessed.
        };
        let objective = token(&answer.question);
        self.objective(&objective);
        let question = clean_or(&answer.question, "question");
        let question_md = md_or(&answer.question, "question");
        let finding = self.dated(&["finding", &ctx.risk.id, "answer", &answer.question]);
        let satisfied = gap <= 0.0;
        let mut item_risk = None;
        if !satisfied {
            let (action, days) = if answer.expired {
                (
                    format!("Renew the evidence behind the answer to {question_md}"),
                    self.options.evidence_days,
                )
            } else {
                match answer.answer {
                    AnswerValue::Partial => (
                        format!("Complete what {question_md} asks"),
                        self.options.control_days,
                    ),
                    _ => (format!("Meet {question_md}"), self.options.control_days),
                }
            };
            let uuid = self.lasting(&["risk", &ctx.risk.id, "answer", &answer.question]);
            let text = answer
                .text
                .as_deref()
                .map(|t| format!(" ({})", md(t)))
                .unwrap_or_default();
            let description = format!(
                "{} answered `{}` to {question_md}{text}{}; the likelihood counts a gap of {} of 1 for it.",
                ctx.name,
                answer.answer.as_str(),
                if answer.expired {
                    ", backed only by expired evidence"
                } else {
                    ""
                },
                number(gap)
            );
            let item = ItemSpec {
                kind: "answer",
                key: answer.question.clone(),
                title: format!("{}: {action}", ctx.name),
                description,
                action,
                deadline: self.deadline(days),
                deadline_source: format!("{days} days from the assessment"),
                observations: vec![obs.to_owned()],
                finding: finding.clone(),
                vendor_risk: vendor_risk.to_owned(),
                extra_props: vec![
                    prop("question", &question),
                    prop("answer", answer.answer.as_str()),
                ],
                facets: vec![],
                remarks: None,
            };
            self.item(ctx, &uuid, item);
            item_risk = Some(uuid);
        }
        let mut value = json!({
            "uuid": finding,
            "title": format!("{}: {question_md}", ctx.name),
            "description": format!("{} answered `{}` to {question_md} (gap {} of 1).", ctx.name, answer.answer.as_str(), number(gap)),
            "props": [prop("vendor-id", &ctx.risk.id), prop("basis", "attested"), prop("question", &question)],
            "origins": [self.tool_origin()],
            "target": {
                "type": "objective-id",
                "target-id": objective,
                "status": { "state": if satisfied { "satisfied" } else { "not-satisfied" } },
            },
            "related-observations": [{ "observation-uuid": obs }],
        });
        if let Some(text) = &answer.text {
            value["target"]["description"] = json!(md(text));
        }
        self.push_finding(finding, value, item_risk);
    }

    fn vulnerability_finding_and_item(
        &mut self,
        ctx: &VendorCtx<'_>,
        finding: &FindingRef,
        obs: &str,
        vendor_risk: &str,
    ) {
        let objective = objective_id(VULNERABILITY_OBJECTIVE);
        self.objective(&objective);
        let product = clean_or(&finding.product, "product");
        let id = clean_or(&finding.id, "finding");
        let (id_md, product_md) = (
            md_or(&finding.id, "finding"),
            md_or(&finding.product, "product"),
        );
        let finding_uuid = self.dated(&[
            "finding",
            &ctx.risk.id,
            "vulnerability",
            &finding.product,
            &finding.id,
            &finding.component,
        ]);
        let risk_uuid = self.lasting(&[
            "risk",
            &ctx.risk.id,
            "vulnerability",
            &finding.product,
            &finding.id,
            &finding.component,
        ]);
        let as_of = self.risks.as_of;
        let kev_due = finding
            .due_date
            .as_deref()
            .and_then(date::parse)
            .filter(|d| representable(*d));
        let (deadline, deadline_source) = match kev_due {
            Some(due) => (due, "CISA KEV due date".to_owned()),
            None => (
                self.deadline(self.options.patch_days),
                format!("{} days from the assessment", self.options.patch_days),
            ),
        };
        let remarks = (deadline < as_of).then(|| {
            format!(
                "Overdue: the KEV due date {} was {} days before the assessment.",
                date::format(deadline),
                date::days_between(deadline, as_of)
            )
        });
        let action = if finding.fixed_versions.is_empty() {
            format!(
                "Fix {id_md} in {product_md} (no fixed version known: mitigate, or replace the component)"
            )
        } else {
            format!(
                "Fix {id_md} in {product_md}: update {} to {}",
                md_or(&finding.component, "the component"),
                md(&finding.fixed_versions.join(" or "))
            )
        };
        let mut facets = vec![facet(
            NIST,
            "severity",
            &clean_or(&finding.severity, "unknown"),
        )];
        if id.starts_with("CVE-") {
            facets.push(facet("http://cve.mitre.org", "cve-id", &id));
        }
        if let Some(score) = finding.score {
            facets.push(facet(NS, "cvss-score", &number(score)));
        }
        facets.push(facet(NS, "kev", if finding.kev { "true" } else { "false" }));
        facets.push(facet(
            NS,
            "known-ransomware-use",
            if finding.ransomware { "true" } else { "false" },
        ));
        let mut extra = vec![
            prop("vulnerability-id", &id),
            prop("product", &product),
            prop("kev", if finding.kev { "true" } else { "false" }),
        ];
        if remarks.is_some() {
            extra.push(prop("overdue", "true"));
        }
        let item = ItemSpec {
            kind: "finding",
            key: format!("{}/{}/{}", finding.product, finding.id, finding.component),
            title: format!("{}: {action}", ctx.name),
            description: finding_sentence(ctx.name, finding),
            action,
            deadline,
            deadline_source,
            observations: vec![obs.to_owned()],
            finding: finding_uuid.clone(),
            vendor_risk: vendor_risk.to_owned(),
            extra_props: extra,
            facets,
            remarks,
        };
        self.item(ctx, &risk_uuid, item);
        let value = json!({
            "uuid": finding_uuid,
            "title": format!("{}: {id_md} open in {product_md}", ctx.name),
            "description": finding_sentence(ctx.name, finding),
            "props": [prop("vendor-id", &ctx.risk.id), prop("basis", "observed"), prop("vulnerability-id", &id)],
            "origins": [self.tool_origin()],
            "target": {
                "type": "objective-id",
                "target-id": objective,
                "title": VULNERABILITY_OBJECTIVE.title(),
                "status": { "state": "not-satisfied" },
            },
            "related-observations": [{ "observation-uuid": obs }],
            "related-risks": [{ "risk-uuid": risk_uuid }],
        });
        self.findings.push(Element {
            uuid: finding_uuid,
            value,
        });
    }

    /// A risk to fix with its deadline and milestone, and its POA&M item.
    fn item(&mut self, ctx: &VendorCtx<'_>, risk_uuid: &str, spec: ItemSpec) {
        let deadline_ts = timestamp(spec.deadline);
        let deadline_text = date::format(spec.deadline);
        let response = self.unique(&["response", risk_uuid]);
        let task = self.unique(&["task", risk_uuid]);
        let start = if spec.deadline < self.risks.as_of {
            deadline_ts.clone()
        } else {
            self.as_of_ts.clone()
        };
        let mut props = vec![
            prop("vendor-id", &ctx.risk.id),
            prop("item-kind", spec.kind),
        ];
        props.extend(spec.extra_props.iter().cloned());
        let risk_description = match &spec.remarks {
            Some(remarks) => format!("{} {remarks}", spec.description),
            None => spec.description.clone(),
        };
        let mut risk = json!({
            "uuid": risk_uuid,
            "title": spec.title,
            "description": risk_description,
            "statement": format!(
                "Until it is done, this gap raises the likelihood that {} fails us; {} is rated {} (rank {}).",
                ctx.name,
                ctx.name,
                ctx.risk.tier.as_str(),
                ctx.risk.rank
            ),
            "props": props,
            "status": "open",
            "origins": [self.tool_origin()],
        });
        if !spec.facets.is_empty() {
            risk["characterizations"] =
                json!([{ "origin": self.tool_origin(), "facets": spec.facets }]);
        }
        risk["deadline"] = json!(deadline_ts);
        risk["remediations"] = json!([{
            "uuid": response,
            "lifecycle": "planned",
            "title": spec.action,
            "description": format!("{} by {deadline_text} ({}).", spec.action, spec.deadline_source),
            "origins": [Self::vendor_origin(ctx.party)],
            "tasks": [{
                "uuid": task,
                "type": "milestone",
                "title": format!("Done by {deadline_text}"),
                "timing": { "within-date-range": { "start": start, "end": deadline_ts } },
            }],
        }]);
        risk["related-observations"] = Value::Array(
            spec.observations
                .iter()
                .map(|o| json!({ "observation-uuid": o }))
                .collect(),
        );
        self.risks_out.push(Element {
            uuid: risk_uuid.to_owned(),
            value: risk,
        });

        let item_uuid = self.lasting(&["poam-item", &ctx.risk.id, spec.kind, &spec.key]);
        let mut item_props = vec![
            prop("vendor-id", &ctx.risk.id),
            prop("item-kind", spec.kind),
            prop("deadline", &deadline_text),
            prop("vendor-tier", ctx.risk.tier.as_str()),
        ];
        item_props.extend(spec.extra_props);
        let mut item = json!({
            "uuid": item_uuid,
            "title": spec.title,
            "description": format!("{} Deadline {deadline_text} ({}).", spec.description, spec.deadline_source),
            "props": item_props,
            "origins": [{ "actors": [{ "type": "tool", "actor-uuid": self.ids.tool() }] }],
            "related-findings": [{ "finding-uuid": spec.finding }],
            "related-observations": spec.observations.iter().map(|o| json!({ "observation-uuid": o })).collect::<Vec<_>>(),
            "related-risks": [{ "risk-uuid": risk_uuid }, { "risk-uuid": spec.vendor_risk }],
        });
        if let Some(remarks) = spec.remarks {
            item["remarks"] = json!(remarks);
        }
        let mut risks = vec![risk_uuid.to_owned(), spec.vendor_risk.clone()];
        risks.dedup();
        self.items.push(Item {
            value: item,
            observations: spec.observations,
            risks,
            findings: vec![spec.finding],
        });
    }

    fn vendor_risk(&mut self, ctx: &VendorCtx<'_>, uuid: &str, observations: &[String]) -> Value {
        let risk = ctx.risk;
        let detail = &risk.detail;
        let impact = risk.impact.map(number).unwrap_or_else(|| "unknown".into());
        let risk_text = risk.risk.map(number).unwrap_or_else(|| "unknown".into());
        let mut description = format!(
            "Rank {} of {}, tier {}: risk {risk_text}, likelihood {} (attested {}, observed {}), impact {impact}.",
            risk.rank,
            self.risks.vendors.len(),
            risk.tier.as_str(),
            number(risk.likelihood),
            number(detail.attested_likelihood),
            number(detail.observed_likelihood),
        );
        if !risk.drivers.is_empty() {
            description.push_str("\n\nDrivers, largest first:\n");
            for driver in &risk.drivers {
                description.push_str(&format!(
                    "\n- {} ({}, {}, {} {})",
                    md(&driver.detail),
                    driver.factor,
                    basis_token(driver.basis),
                    scored_token(driver.score),
                    number(driver.weight)
                ));
            }
        }
        let statement = if risk.entities.is_empty() {
            format!(
                "A cyber incident at {} ({}) would reach no entity of the network we know of: its impact is unknown, and it is ranked after the vendors whose impact is known.",
                ctx.name,
                detail
                    .kind
                    .as_deref()
                    .map(md)
                    .unwrap_or_else(|| "vendor".into())
            )
        } else {
            format!(
                "A cyber incident at {} ({}) would reach {} in the network.",
                ctx.name,
                detail
                    .kind
                    .as_deref()
                    .map(md)
                    .unwrap_or_else(|| "vendor".into()),
                risk.entities
                    .iter()
                    .map(|e| md(e))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut props = vec![
            prop("vendor-id", &risk.id),
            prop("item-kind", "vendor"),
            prop("tier", risk.tier.as_str()),
            prop("rank", &risk.rank.to_string()),
            json!({ "name": "priority", "value": risk.rank.to_string() }),
            prop("likelihood", &number(risk.likelihood)),
            prop("attested-likelihood", &number(detail.attested_likelihood)),
            prop("observed-likelihood", &number(detail.observed_likelihood)),
            prop("impact", &impact),
            prop("risk", &risk_text),
            prop("open-findings", &risk.findings.open.to_string()),
            prop("kev-findings", &risk.findings.kev.to_string()),
        ];
        for entity in &risk.entities {
            props.push(prop("entity", entity));
        }
        let mut characterizations = vec![json!({
            "origin": self.tool_origin(),
            "facets": [
                facet(NIST, "likelihood", &number(risk.likelihood)),
                facet(NIST, "impact", &impact),
                facet(NIST, "risk", &risk_text),
                facet(NS, "tier", risk.tier.as_str()),
                facet(NS, "attested-likelihood", &number(detail.attested_likelihood)),
                facet(NS, "observed-likelihood", &number(detail.observed_likelihood)),
            ],
        })];
        if !risk.drivers.is_empty() {
            characterizations.push(json!({
                "props": [prop("characterization", "drivers")],
                "origin": self.tool_origin(),
                "facets": risk.drivers.iter().map(driver_facet).collect::<Vec<_>>(),
            }));
        }
        let mut value = json!({
            "uuid": uuid,
            "title": format!("{}: vendor cyber risk, tier {}", ctx.name, risk.tier.as_str()),
            "description": description,
            "statement": statement,
            "props": props,
            "status": "open",
            "origins": [self.tool_origin()],
            "characterizations": characterizations,
        });
        if !detail.improvements.is_empty() {
            let mut responses = Vec::new();
            for (index, improvement) in detail.improvements.iter().enumerate() {
                let id = self.unique(&["recommendation", uuid, &index.to_string()]);
                let after = improvement
                    .risk_after
                    .map(number)
                    .unwrap_or_else(|| "unknown".into());
                responses.push(json!({
                    "uuid": id,
                    "lifecycle": "recommendation",
                    "title": md_or(&improvement.action, "Improvement"),
                    "description": format!(
                        "{}: the tier would be {} (likelihood {}, risk {after}).",
                        md(&improvement.action),
                        improvement.tier_after.as_str(),
                        number(improvement.likelihood_after)
                    ),
                    "props": [
                        prop("tier-after", improvement.tier_after.as_str()),
                        prop("likelihood-after", &number(improvement.likelihood_after)),
                        prop("risk-after", &after),
                        prop("lowers-tier", if improvement.tier_after > risk.tier { "true" } else { "false" }),
                    ],
                    "origins": [self.tool_origin()],
                }));
            }
            value["remediations"] = Value::Array(responses);
        }
        if !observations.is_empty() {
            value["related-observations"] = Value::Array(
                observations
                    .iter()
                    .map(|o| json!({ "observation-uuid": o }))
                    .collect(),
            );
        }
        value
    }
}

struct VendorCtx<'a> {
    risk: &'a VendorRisk,
    vendor: Option<&'a Vendor>,
    name: &'a str,
    party: &'a str,
    subject: &'a Value,
}

struct ItemSpec {
    kind: &'static str,
    key: String,
    title: String,
    description: String,
    action: String,
    deadline: Date,
    deadline_source: String,
    observations: Vec<String>,
    finding: String,
    vendor_risk: String,
    extra_props: Vec<Value>,
    facets: Vec<Value>,
    remarks: Option<String>,
}

impl Built<'_> {
    fn metadata(&self, title: &str) -> Value {
        let assessor = self.ids.assessor();
        let mut parties = vec![json!({
            "uuid": assessor,
            "type": "organization",
            "name": clean_or(&self.options.assessor, "Assessor"),
        })];
        parties.extend(self.parties.iter().cloned());
        let vendors: Vec<Value> = self.parties.iter().map(|p| p["uuid"].clone()).collect();
        let mut responsible = vec![json!({ "role-id": "assessor", "party-uuids": [assessor] })];
        if !vendors.is_empty() {
            responsible.push(json!({ "role-id": "provider", "party-uuids": vendors }));
        }
        let mut links = vec![json!({
            "href": format!("#{}", self.ids.resource("register")),
            "rel": "reference",
            "text": "The vendor register",
        })];
        if self
            .options
            .network_href
            .as_deref()
            .and_then(reference)
            .is_some()
        {
            links.push(json!({
                "href": format!("#{}", self.ids.resource("network")),
                "rel": "reference",
                "text": "The network",
            }));
        }
        json!({
            "title": format!("{title}: {} on {}", self.network_md, self.as_of_text),
            "last-modified": self.as_of_ts,
            "version": self.as_of_text,
            "oscal-version": self.options.version.as_str(),
            "props": [prop("network", &self.network), prop("as-of", &self.as_of_text)],
            "links": links,
            "roles": [
                { "id": "assessor", "title": "Assessor", "description": "The organisation that assessed its vendors." },
                { "id": "provider", "title": "Provider", "description": "A vendor: a third party that supplies or operates part of the network." },
            ],
            "parties": parties,
            "responsible-parties": responsible,
        })
    }

    fn tool_component(&self) -> Value {
        json!({
            "uuid": self.ids.tool(),
            "type": "software",
            "title": "lifeline",
            "description": "lifeline's vendor cyber-risk register: likelihood from attested controls and answers and from observed findings and incidents, impact from the network's stress test (docs/risk-scoring.md).",
            "props": [prop("version", &clean_or(&self.options.tool_version, "unknown"))],
            "status": { "state": "operational" },
        })
    }

    fn local_definitions(&self) -> Value {
        let mut map = Map::new();
        if !self.components.is_empty() {
            map.insert("components".into(), Value::Array(self.components.clone()));
        }
        let assets = json!({
            "components": [self.tool_component()],
            "assessment-platforms": [{
                "uuid": self.ids.platform(),
                "title": "lifeline risk register",
                "uses-components": [{ "component-uuid": self.ids.tool() }],
            }],
        });
        map.insert("assessment-assets".into(), assets);
        Value::Object(map)
    }

    fn reviewed_controls(&self) -> Value {
        let mut selection = json!({ "description": "lifeline's controls questionnaire (ctl-*) and the questionnaire ids the vendors answered (NIST CSF 2.0 subcategories, HHS 405(d) HICP practices)." });
        if self.objectives.is_empty() {
            selection["include-all"] = json!({});
        } else {
            let mut controls: Vec<&String> = self.objectives.iter().collect();
            controls.sort_by_key(|id| (!id.starts_with("ctl-"), id.as_str().to_owned()));
            selection["include-controls"] = Value::Array(
                controls
                    .into_iter()
                    .map(|id| json!({ "control-id": id }))
                    .collect(),
            );
        }
        json!({
            "description": format!("The controls and questions the vendors of {} were assessed against.", self.network_md),
            "control-selections": [selection],
        })
    }

    fn back_matter(&self, results: bool) -> Value {
        let mut resources = Vec::new();
        if results {
            resources.push(json!({
                "uuid": self.ids.resource("assessment-plan"),
                "title": "Assessment method: lifeline vendor risk scoring",
                "description": "Likelihood is a noisy-OR of hazards from attested posture (controls, questionnaire answers, evidence that holds on the assessment day), observed exposure (open findings, KEV first, known ransomware use above all; past incidents decaying with age) and fourth parties; impact comes from the stress test of the entities the vendor operates; risk and tier from both. See docs/risk-scoring.md in lifeline.",
            }));
        }
        let mut register = json!({
            "uuid": self.ids.resource("register"),
            "title": "Vendor register (lifeline-vendors/1)",
            "description": format!("The vendors of {} judged on {}.", self.network_md, self.as_of_text),
        });
        if let Some(href) = self.options.register_href.as_deref().and_then(reference) {
            register["rlinks"] = json!([{ "href": href, "media-type": media_type(&href) }]);
        }
        resources.push(register);
        if let Some(href) = self.options.network_href.as_deref().and_then(reference) {
            resources.push(json!({
                "uuid": self.ids.resource("network"),
                "title": format!("Network {}", self.network_md),
                "rlinks": [{ "href": href, "media-type": media_type(&href) }],
            }));
        }
        if self
            .risks_in
            .vendors
            .iter()
            .any(|v| v.detail.findings.iter().any(|f| f.kev))
        {
            resources.push(json!({
                "uuid": self.ids.resource("kev"),
                "title": "CISA Known Exploited Vulnerabilities Catalog",
                "description": "The source of the KEV flags, known ransomware use and due dates.",
                "rlinks": [{ "href": "https://www.cisa.gov/known-exploited-vulnerabilities-catalog" }],
            }));
        }
        json!({ "resources": resources })
    }
}

fn driver_facet(driver: &Driver) -> Value {
    json!({
        "name": token(&driver.factor),
        "system": format!("{NS}/driver"),
        "value": number(driver.weight),
        "props": [
            prop("basis", basis_token(driver.basis)),
            prop("scored", scored_token(driver.score)),
        ],
        "remarks": md(&driver.detail),
    })
}

fn facet(system: &str, name: &str, value: &str) -> Value {
    json!({ "name": name, "system": system, "value": clean_or(value, "unknown") })
}

/// A prop in lifeline's namespace (except `priority`, NIST's).
fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": clean_or(value, "unknown") })
}

fn prop_with_class(name: &str, value: &str, class: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": clean_or(value, "unknown"), "class": class })
}

fn evidence_value(evidence: &Evidence, as_of: Date) -> Value {
    let kind = clean_or(&evidence.kind, "evidence");
    let mut text = md_or(&evidence.kind, "evidence");
    if let Some(issued) = evidence.issued {
        text.push_str(&format!(", issued {}", date::format(issued)));
    }
    if let Some(expires) = evidence.expires {
        let days = date::days_between(as_of, expires);
        if days < 0 {
            text.push_str(&format!(
                ", expired {} ({} days before the assessment)",
                date::format(expires),
                -days
            ));
        } else {
            text.push_str(&format!(
                ", expires {} (in {days} days)",
                date::format(expires)
            ));
        }
    }
    let mut props = vec![prop("evidence-kind", &kind)];
    if let Some(issued) = evidence.issued {
        props.push(prop("issued", &date::format(issued)));
    }
    if let Some(expires) = evidence.expires {
        props.push(prop("expires", &date::format(expires)));
    }
    props.push(prop(
        "expired",
        if evidence.expired(as_of) {
            "true"
        } else {
            "false"
        },
    ));
    let mut value = json!({ "description": text, "props": props });
    if let Some(r) = &evidence.reference {
        match url(r) {
            Some(href) => value["href"] = json!(href),
            None => {
                value["description"] = json!(format!("{text}; reference: {}", md(r)));
                props_push(&mut value, prop("reference", r));
            }
        }
    }
    value
}

fn props_push(value: &mut Value, prop: Value) {
    if let Some(list) = value["props"].as_array_mut() {
        list.push(prop);
    }
}

fn finding_sentence(vendor: &str, finding: &FindingRef) -> String {
    let mut text = format!(
        "{} ({}{}) is open in {} of {}, which {vendor} supplies",
        md(&finding.id),
        md(&finding.severity),
        finding
            .score
            .map(|s| format!(", CVSS {}", number(s)))
            .unwrap_or_default(),
        md(&finding.component),
        md(&finding.product),
    );
    if finding.kev {
        text.push_str("; it is in CISA's Known Exploited Vulnerabilities catalog");
        if finding.ransomware {
            text.push_str(", with known ransomware campaign use");
        }
        if let Some(due) = &finding.due_date {
            text.push_str(&format!(", due {}", md(due)));
        }
    }
    text.push('.');
    if !finding.fixed_versions.is_empty() {
        text.push_str(&format!(
            " Fixed in {}.",
            finding
                .fixed_versions
                .iter()
                .map(|v| md(v))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    text
}

fn objective_id(control: ControlId) -> String {
    format!("ctl-{}", control.key().replace('_', "-"))
}

fn state_token(state: ControlState) -> &'static str {
    match state {
        ControlState::Evidenced => "evidenced",
        ControlState::Attested => "attested",
        ControlState::Absent => "absent",
        ControlState::Unknown => "unknown",
        ControlState::Expired => "expired",
    }
}

fn state_words(state: ControlState) -> &'static str {
    match state {
        ControlState::Evidenced => "in place, with evidence that holds",
        ControlState::Attested => "in place on the vendor's word alone",
        ControlState::Absent => "not in place, by the vendor's own account",
        ControlState::Unknown => "not stated",
        ControlState::Expired => "stated, but every piece of its evidence has expired",
    }
}

fn basis_token(basis: Basis) -> &'static str {
    match basis {
        Basis::Attested => "attested",
        Basis::Observed => "observed",
        Basis::Network => "network",
        Basis::FourthParty => "fourth-party",
    }
}

fn scored_token(scored: Scored) -> &'static str {
    match scored {
        Scored::Likelihood => "likelihood",
        Scored::Impact => "impact",
    }
}

/// Whether OSCAL's date-time pattern can write the day (years 1900 to 2999).
fn representable(day: Date) -> bool {
    (1900..=2999).contains(&day.year())
}

/// Midnight UTC of a day.
fn timestamp(day: Date) -> String {
    format!("{}T00:00:00Z", date::format(day))
}

/// A score as text: up to four decimals, no trailing zeros.
fn number(value: f64) -> String {
    if !value.is_finite() {
        return "unknown".into();
    }
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_owned()
    }
}

fn opt_number(value: Option<f64>) -> String {
    value.map(number).unwrap_or_else(|| "unknown".into())
}

/// One line of text: control characters and runs of whitespace become one space, trimmed.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text for OSCAL's Markdown fields (titles, descriptions, remarks): one line, with the
/// characters Markdown would act on (emphasis, links, code, raw HTML, entities) escaped,
/// so a hostile vendor name or comment stays text in whatever renders the document.
fn md(text: &str) -> String {
    let mut out = String::new();
    for c in one_line(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// [`md`], or the fallback when nothing is left.
fn md_or(text: &str, fallback: &str) -> String {
    let text = md(text);
    if text.is_empty() {
        fallback.to_owned()
    } else {
        text
    }
}

/// [`one_line`], or the fallback when nothing is left (OSCAL strings may not be empty).
fn clean_or(text: &str, fallback: &str) -> String {
    let line = one_line(text);
    if line.is_empty() {
        fallback.to_owned()
    } else {
        line
    }
}

/// An XML NCName (OSCAL token): ASCII letters and digits, `.`, `-`, `_`, starting with a
/// letter or `_`; anything else becomes `_`.
fn token(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    {
        out.insert(0, '_');
    }
    out
}

fn lower_first(text: &str) -> String {
    // Keep acronyms (SBOMs) as written; lower a capitalised first word.
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

/// An http(s) URL with nothing a URI may not hold.
fn url(text: &str) -> Option<String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    // A host, then RFC 3986 characters only: no spaces, brackets or stray `%`, one `#`.
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return None;
            }
            i += 3;
            continue;
        }
        let allowed = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?#".contains(&b);
        if !allowed {
            return None;
        }
        i += 1;
    }
    (host_ok && text.matches('#').count() <= 1).then(|| text.to_owned())
}

/// A path or URL usable as a URI reference (percent-encoded where it must be).
fn reference(text: &str) -> Option<String> {
    if let Some(url) = url(text) {
        return Some(url);
    }
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_' | '~') {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    Some(out)
}

fn media_type(href: &str) -> &'static str {
    let lower = href.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        "application/yaml"
    } else {
        "application/json"
    }
}

/// A plain ASCII email address (`local@domain.example`), which OSCAL's `email` format
/// accepts; anything else is left out of `email-addresses` (it stays in the `contact` prop).
fn email(text: &str) -> Option<String> {
    let text = text.trim();
    let (local, domain) = text.split_once('@')?;
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    (local_ok && domain_ok && text.len() <= 254).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_tokens_and_lines() {
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(f64::NAN), "unknown");
        assert_eq!(token("GV.SC-05"), "GV.SC-05");
        assert_eq!(token("1.a b"), "_1.a_b");
        assert_eq!(token(""), "_");
        assert_eq!(one_line("  a\n\tb \u{7} c "), "a b c");
        assert_eq!(clean_or(" \n ", "x"), "x");
        assert_eq!(
            md("a_b *c* [d](e) <f> & `g`"),
            r"a\_b \*c\* \[d\](e) \<f\> \& \`g\`"
        );
        assert_eq!(md_or(" ", "x"), "x");
        assert_eq!(lower_first("Encryption at rest"), "encryption at rest");
        assert_eq!(lower_first("SBOMs (and VEX)"), "SBOMs (and VEX)");
        assert_eq!(url("https://example.org/a b"), None);
        assert_eq!(url("http://%%"), None);
        assert_eq!(url("https://a/b#c#d"), None);
        assert_eq!(
            url("https://a/b%2Fc?d=1#e").as_deref(),
            Some("https://a/b%2Fc?d=1#e")
        );
        assert_eq!(url("see https://x"), None);
        assert_eq!(
            url(" https://example.org/x "),
            Some("https://example.org/x".into())
        );
        assert_eq!(
            reference("examples/my vendors.json").as_deref(),
            Some("examples/my%20vendors.json")
        );
        assert_eq!(
            email("ops@acme.example").as_deref(),
            Some("ops@acme.example")
        );
        assert_eq!(email("nobody"), None);
        assert_eq!(email("a@localhost"), None);
        assert_eq!(email("𒐀@۞.example"), None);
        assert_eq!("1.1.2".parse::<OscalVersion>(), Ok(OscalVersion::V1_1_2));
        assert!("1.2.0".parse::<OscalVersion>().is_err());
    }
}
