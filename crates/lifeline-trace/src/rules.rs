//! Chain-of-custody rules over events in time order (DSCSA §582 product tracing, EPCIS 2.0 /
//! CBV 2.0 semantics). Each rule is documented in `docs/trace.md` with its basis.
//!
//! The checker keeps one small state per EPC (commissioned where, by which event; terminal
//! event; recall status; expiry; current holder GLNs; shipment in transit; parent) and a map
//! from each parent to its children, so memory follows the number of products, not the
//! number of events. Events that act on a parent (a shipped pallet) act on everything
//! packed inside it.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::facts::{EventFacts, Role, gln_of};

/// The rules, with their stable ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleId {
    /// An EPC appears before or without its commissioning.
    NotCommissioned,
    /// The same EPC commissioned twice: a clone.
    DuplicateCommission,
    /// Activity after decommissioning, destruction or dispensing.
    AfterDecommission,
    /// Shipped while its disposition is recalled.
    RecalledShipped,
    /// Received by a party that was not the destination of its last shipment, or shipped by
    /// a party that never held it.
    CustodyBreak,
    /// Packed into a second parent without being unpacked, or shipped alone while packed.
    AggregationConflict,
    /// Shipped after its ILMD expiry date.
    ExpiredShipped,
    /// The declared eventID hash does not match the event's content.
    HashMismatch,
}

impl RuleId {
    /// The stable id, as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::NotCommissioned => "not-commissioned",
            RuleId::DuplicateCommission => "duplicate-commission",
            RuleId::AfterDecommission => "after-decommission",
            RuleId::RecalledShipped => "recalled-shipped",
            RuleId::CustodyBreak => "custody-break",
            RuleId::AggregationConflict => "aggregation-conflict",
            RuleId::ExpiredShipped => "expired-shipped",
            RuleId::HashMismatch => "hash-mismatch",
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; may have an innocent explanation (data not shared with us).
    Warning,
    /// The history cannot be right as recorded: a suspect product.
    Error,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// The EPC (canonical Digital Link), or empty for an event-level finding without EPCs.
    pub epc: String,
    /// Rule id.
    pub rule: RuleId,
    /// Severity.
    pub severity: Severity,
    /// Event Hash IDs involved, earliest first.
    pub events: Vec<String>,
    /// A sentence for a compliance officer.
    pub message: String,
}

#[derive(Debug, Default)]
struct EpcState {
    commissioned: Option<String>,
    first_uncommissioned: Option<String>,
    terminal: Option<(String, String)>,
    after_terminal_reported: bool,
    recalled_by: Option<String>,
    persistent_recalled_by: Option<String>,
    /// Every GLN that has held it: a shipment back to one of them is a return.
    past_holders: Vec<String>,
    holder: Vec<String>,
    in_transit: Option<(String, Vec<String>)>,
    parent: Option<(String, String)>,
    expiry: Option<(i64, String)>,
}

/// Runs the rules over events given in time order (ties in arrival order).
#[derive(Debug, Default)]
pub struct Checker {
    states: HashMap<String, EpcState>,
    contents: HashMap<String, BTreeSet<String>>,
    findings: Vec<Finding>,
    /// When set, only these EPCs are followed and `hash-mismatch` (an event-level rule) is
    /// left to the caller: the repository checks one aggregation family at a time.
    focus: Option<HashSet<String>>,
}

fn date(days: i64) -> String {
    crate::time::format_millis(days * 86_400_000)[..10].to_owned()
}

/// Hex digits of an Event Hash ID that messages and tables show: enough to tell the events
/// of one history apart, short enough for a sentence.
pub const SHORT_HASH: usize = 12;

/// An Event Hash ID as messages and tables show it: the first [`SHORT_HASH`] hex digits of
/// an `ni:///sha-256;` hash, or any other text whole.
pub fn short_hash(hash: &str) -> &str {
    hash.strip_prefix("ni:///sha-256;")
        .map_or(hash, |h| h.get(..SHORT_HASH).unwrap_or(h))
}

fn glns<'a>(ids: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = ids.into_iter().filter_map(|id| gln_of(id)).collect();
    out.sort();
    out.dedup();
    out
}

fn intersects(a: &[String], b: &[String]) -> bool {
    a.iter().any(|x| b.contains(x))
}

fn is_terminal(event: &EventFacts) -> Option<&'static str> {
    match event.biz_step.as_str() {
        "decommissioning" => return Some("decommissioned"),
        "destroying" => return Some("destroyed"),
        "dispensing" => return Some("dispensed"),
        _ => {}
    }
    match event.disposition.as_str() {
        "destroyed" => Some("destroyed"),
        "dispensed" => Some("dispensed"),
        "disposed" => Some("disposed"),
        _ if event.event_type == "ObjectEvent" && event.action == "DELETE" => {
            Some("decommissioned")
        }
        _ => None,
    }
}

impl Checker {
    /// A checker with no history.
    pub fn new() -> Self {
        Checker::default()
    }

    fn push(
        &mut self,
        epc: &str,
        rule: RuleId,
        severity: Severity,
        events: Vec<String>,
        message: String,
    ) {
        self.findings.push(Finding {
            epc: epc.to_owned(),
            rule,
            severity,
            events,
            message,
        });
    }

    /// A checker that follows only the EPCs in `focus` (a set closed under aggregation:
    /// every parent and child of a member is a member) and leaves the event-level
    /// `hash-mismatch` rule to the caller ([`hash_mismatch`]). Run over every event naming
    /// a member, in time order, it finds for those EPCs exactly what a checker over all
    /// events finds for them.
    pub fn focused(focus: HashSet<String>) -> Self {
        Checker {
            focus: Some(focus),
            ..Checker::default()
        }
    }

    fn follows(&self, epc: &str) -> bool {
        self.focus.as_ref().is_none_or(|f| f.contains(epc))
    }

    /// Feeds the next event (not retracted) in time order.
    pub fn observe(&mut self, event: &EventFacts) {
        if self.focus.is_none()
            && let Some(finding) = hash_mismatch(event)
        {
            self.findings.push(finding);
        }
        let commissioning = event.biz_step == "commissioning" && event.action == "ADD";
        let all: Vec<&String> = event.epcs.iter().map(|(e, _)| e).collect();
        for (epc, role) in &event.epcs {
            if !self.follows(epc) {
                continue;
            }
            let commissions = (commissioning && *role == Role::Epc)
                || (event.event_type == "TransformationEvent" && *role == Role::Output);
            self.touch(
                epc,
                Touch::new(
                    event,
                    &all,
                    *role,
                    Reach {
                        commissions,
                        direct: true,
                    },
                ),
            );
            if matches!(role, Role::Epc) {
                let mut stack: Vec<String> = self
                    .contents
                    .get(epc)
                    .map(|c| c.iter().cloned().collect())
                    .unwrap_or_default();
                let mut seen = BTreeSet::new();
                while let Some(child) = stack.pop() {
                    if !seen.insert(child.clone()) || child == *epc {
                        continue;
                    }
                    let reach = Reach {
                        commissions: false,
                        direct: false,
                    };
                    self.touch(&child, Touch::new(event, &all, Role::Epc, reach));
                    if let Some(grandchildren) = self.contents.get(&child) {
                        stack.extend(grandchildren.iter().cloned());
                    }
                }
            }
        }
        if event.is_aggregation() {
            self.aggregate(event);
        }
    }

    fn aggregate(&mut self, event: &EventFacts) {
        let Some(parent) = event
            .epcs
            .iter()
            .find(|(_, r)| *r == Role::Parent)
            .map(|(e, _)| e.clone())
        else {
            return;
        };
        if !self.follows(&parent) {
            return;
        }
        let children: Vec<String> = event
            .epcs
            .iter()
            .filter(|(_, r)| *r == Role::Child)
            .map(|(e, _)| e.clone())
            .collect();
        match event.action.as_str() {
            "ADD" => {
                for child in children {
                    let previous = self.states.get(&child).and_then(|s| s.parent.clone());
                    if let Some((other, packed_by)) = previous
                        && other != parent
                    {
                        self.push(
                            &child,
                            RuleId::AggregationConflict,
                            Severity::Error,
                            vec![packed_by.clone(), event.hash.clone()],
                            format!(
                                "Packed into `{parent}` (event {}) while still packed inside `{other}` (event {}), with no unpacking in between.",
                                short_hash(&event.hash),
                                short_hash(&packed_by)
                            ),
                        );
                        if let Some(set) = self.contents.get_mut(&other) {
                            set.remove(&child);
                        }
                    }
                    self.states.entry(child.clone()).or_default().parent =
                        Some((parent.clone(), event.hash.clone()));
                    self.contents
                        .entry(parent.clone())
                        .or_default()
                        .insert(child);
                }
            }
            "DELETE" => {
                let children = if children.is_empty() {
                    self.contents
                        .get(&parent)
                        .map(|c| c.iter().cloned().collect())
                        .unwrap_or_default()
                } else {
                    children
                };
                for child in children {
                    if let Some(state) = self.states.get_mut(&child)
                        && state.parent.as_ref().is_some_and(|(p, _)| *p == parent)
                    {
                        state.parent = None;
                    }
                    if let Some(set) = self.contents.get_mut(&parent) {
                        set.remove(&child);
                    }
                }
            }
            _ => {}
        }
    }

    /// Applies one event to one EPC's state, recording what it breaks.
    fn touch(&mut self, epc: &str, touch: Touch<'_>) {
        let state = self.states.entry(epc.to_owned()).or_default();
        for (rule, severity, events, message) in touch.apply(state) {
            self.push(epc, rule, severity, events, message);
        }
    }

    /// Ends the pass: EPCs never commissioned are reported, and findings come out sorted by
    /// EPC, rule and events.
    pub fn finish(mut self) -> Vec<Finding> {
        let mut pending = Vec::new();
        for (epc, state) in &self.states {
            if let (None, Some(first)) = (&state.commissioned, &state.first_uncommissioned) {
                pending.push(Finding {
                    epc: epc.clone(),
                    rule: RuleId::NotCommissioned,
                    severity: Severity::Warning,
                    events: vec![first.clone()],
                    message: format!(
                        "No commissioning event is on record (first seen in event {}): its origin cannot be confirmed from these data.",
                        short_hash(first)
                    ),
                });
            }
        }
        self.findings.extend(pending);
        self.findings.sort();
        self.findings.dedup();
        self.findings
    }
}

/// A finding as a rule records it, before it is tied to its EPC.
type Found = (RuleId, Severity, Vec<String>, String);

/// How an event reaches an EPC.
#[derive(Debug, Clone, Copy)]
struct Reach {
    /// The event commissions the EPC (a commissioning `ADD`, or a transformation's output).
    commissions: bool,
    /// The event names the EPC itself, not only a parent it is packed in.
    direct: bool,
}

/// One event applied to one EPC: what the rules share while they look at it, and the
/// findings so far. Each rule is a method; [`Touch::apply`] runs them in order.
struct Touch<'e> {
    event: &'e EventFacts,
    /// Every EPC the event names.
    all: &'e [&'e String],
    /// The EPC's role in the event (`Epc` for one reached through its parent).
    role: Role,
    reach: Reach,
    /// GLNs of the event's bizLocation and readPoint.
    location_glns: Vec<String>,
    /// GLNs of the event's destinations.
    destination_glns: Vec<String>,
    found: Vec<Found>,
}

impl<'e> Touch<'e> {
    fn new(event: &'e EventFacts, all: &'e [&'e String], role: Role, reach: Reach) -> Self {
        Touch {
            event,
            all,
            role,
            reach,
            location_glns: glns(event.biz_location.iter().chain(event.read_point.iter())),
            destination_glns: glns(event.destinations.iter().map(|p| &p.id)),
            found: Vec::new(),
        }
    }

    fn hash(&self) -> &'e String {
        &self.event.hash
    }

    /// Runs every rule over `state` and updates it; returns the findings in rule order.
    fn apply(mut self, state: &mut EpcState) -> Vec<Found> {
        if self.reach.commissions {
            self.commission(state);
        } else {
            self.use_after(state);
        }
        match self.event.biz_step.as_str() {
            "shipping" => self.shipping(state),
            "receiving" => self.receiving(state),
            _ => self.elsewhere(state),
        }
        self.status(state);
        self.found
    }

    /// A commissioning: twice without a terminal event in between is a clone; an earlier
    /// sighting was before the product existed.
    fn commission(&mut self, state: &mut EpcState) {
        let hash = self.hash();
        if let Some(previous) = &state.commissioned
            && state.terminal.is_none()
        {
            self.found.push((
                RuleId::DuplicateCommission,
                Severity::Error,
                vec![previous.clone(), hash.clone()],
                format!(
                    "Commissioned twice (events {} and {}): two products carry the same serial number, so at least one is a copy.",
                    short_hash(previous),
                    short_hash(hash)
                ),
            ));
        }
        if let Some(first) = state.first_uncommissioned.take() {
            self.found.push((
                RuleId::NotCommissioned,
                Severity::Error,
                vec![first.clone(), hash.clone()],
                format!(
                    "Appears in event {} before it was commissioned (event {}): the product was in circulation before it existed.",
                    short_hash(&first),
                    short_hash(hash)
                ),
            ));
        }
        state.commissioned = Some(hash.clone());
        state.holder = self.location_glns.clone();
        if let Some(days) = self.event.expiry_days {
            state.expiry = Some((days, hash.clone()));
        }
    }

    /// Any other event: remembers a first sighting before commissioning, and reports the
    /// first activity after a terminal event.
    fn use_after(&mut self, state: &mut EpcState) {
        let (event, hash) = (self.event, self.hash());
        if self.reach.direct
            && state.commissioned.is_none()
            && state.first_uncommissioned.is_none()
            && self.role != Role::Output
        {
            state.first_uncommissioned = Some(hash.clone());
        }
        if let Some((terminal, what)) = &state.terminal
            && !state.after_terminal_reported
        {
            self.found.push((
                RuleId::AfterDecommission,
                Severity::Error,
                vec![terminal.clone(), hash.clone()],
                format!(
                    "Recorded in a `{}` event {} after it was {what} (event {}): a product that left the supply chain is back in it.",
                    if event.biz_step.is_empty() { event.event_type.as_str() } else { event.biz_step.as_str() },
                    short_hash(hash),
                    short_hash(terminal)
                ),
            ));
            state.after_terminal_reported = true;
        }
    }

    /// A shipment: recalled or expired goods, a shipper that never held it, a packed item
    /// shipped alone; the destination becomes the holder.
    fn shipping(&mut self, state: &mut EpcState) {
        let (event, hash) = (self.event, self.hash());
        let recall = state
            .persistent_recalled_by
            .clone()
            .or_else(|| state.recalled_by.clone());
        let is_return = intersects(&self.destination_glns, &state.past_holders);
        if let Some(recall) = recall
            && !is_return
        {
            self.found.push((
                RuleId::RecalledShipped,
                Severity::Error,
                vec![recall.clone(), hash.clone()],
                format!(
                    "Shipped (event {}) while recalled (event {}), and not back to a site that held it before.",
                    short_hash(hash),
                    short_hash(&recall)
                ),
            ));
        }
        if let Some((expiry, ilmd)) = &state.expiry {
            let shipped = event.time.div_euclid(86_400_000);
            if shipped > *expiry {
                self.found.push((
                    RuleId::ExpiredShipped,
                    Severity::Error,
                    vec![ilmd.clone(), hash.clone()],
                    format!(
                        "Shipped on {} (event {}), after its expiry date {} (event {}).",
                        date(shipped),
                        short_hash(hash),
                        date(*expiry),
                        short_hash(ilmd)
                    ),
                ));
            }
        }
        let shipper = glns(
            event
                .sources
                .iter()
                .map(|p| &p.id)
                .chain(event.biz_location.iter())
                .chain(event.read_point.iter()),
        );
        // Reported on the EPC the event names (the pallet), not on everything inside it.
        if self.reach.direct
            && !state.holder.is_empty()
            && !shipper.is_empty()
            && !intersects(&shipper, &state.holder)
        {
            self.found.push((
                RuleId::CustodyBreak,
                Severity::Error,
                vec![hash.clone()],
                format!(
                    "Shipped (event {}) by GLN {}, which never held it: it was last held by GLN {}.",
                    short_hash(hash),
                    shipper.join(", "),
                    state.holder.join(", ")
                ),
            ));
        }
        if self.reach.direct
            && self.role == Role::Epc
            && let Some((parent, packed_by)) = &state.parent
            && !self.all.contains(&parent)
        {
            self.found.push((
                RuleId::AggregationConflict,
                Severity::Error,
                vec![packed_by.clone(), hash.clone()],
                format!(
                    "Shipped on its own (event {}) while packed inside `{parent}` (event {}), with no unpacking in between.",
                    short_hash(hash),
                    short_hash(packed_by)
                ),
            ));
        }
        if !self.destination_glns.is_empty() {
            let destinations = std::mem::take(&mut self.destination_glns);
            state.in_transit = Some((hash.clone(), destinations.clone()));
            state.holder = destinations;
        }
    }

    /// A receipt: received where its last shipment was not addressed is a diversion; the
    /// receiver becomes the holder.
    fn receiving(&mut self, state: &mut EpcState) {
        let hash = self.hash();
        let mut receiver = self.location_glns.clone();
        receiver.extend(std::mem::take(&mut self.destination_glns));
        receiver.sort();
        receiver.dedup();
        if let Some((shipment, expected)) = &state.in_transit
            && self.reach.direct
            && !receiver.is_empty()
            && !intersects(&receiver, expected)
        {
            self.found.push((
                RuleId::CustodyBreak,
                Severity::Error,
                vec![shipment.clone(), hash.clone()],
                format!(
                    "Received (event {}) at GLN {}, but its last shipment (event {}) was addressed to GLN {}: diverted.",
                    short_hash(hash),
                    receiver.join(", "),
                    short_hash(shipment),
                    expected.join(", ")
                ),
            ));
        }
        state.in_transit = None;
        if !receiver.is_empty() {
            state.holder = receiver;
        }
    }

    /// Any other bizStep: a product not in transit is held where the event happened.
    fn elsewhere(&mut self, state: &mut EpcState) {
        if state.in_transit.is_none() {
            for gln in glns(self.event.biz_location.iter()) {
                if !state.holder.contains(&gln) {
                    state.holder.push(gln);
                }
            }
        }
    }

    /// After every rule: past holders, recall status and terminal state.
    fn status(&mut self, state: &mut EpcState) {
        let (event, hash) = (self.event, self.hash());
        for gln in &state.holder {
            if !state.past_holders.contains(gln) {
                state.past_holders.push(gln.clone());
            }
        }
        if !event.disposition.is_empty() {
            state.recalled_by = (event.disposition == "recalled").then(|| hash.clone());
        }
        if event.persistent_set.iter().any(|d| d == "recalled") {
            state.persistent_recalled_by = Some(hash.clone());
        }
        if event.persistent_unset.iter().any(|d| d == "recalled") {
            state.persistent_recalled_by = None;
        }
        if !self.reach.commissions
            && let Some(what) = is_terminal(event)
        {
            state.terminal = Some((hash.clone(), what.to_owned()));
            state.after_terminal_reported = false;
        }
    }
}

/// The `hash-mismatch` finding of one event: it declares an eventID of the Event Hash ID
/// form that differs from the hash of its content. Reported on its first EPC.
pub fn hash_mismatch(event: &EventFacts) -> Option<Finding> {
    let declared = event.event_id.as_ref()?;
    if !declared.starts_with("ni:///sha-256;") || declared.eq_ignore_ascii_case(&event.hash) {
        return None;
    }
    Some(Finding {
        epc: event
            .epcs
            .first()
            .map(|(e, _)| e.clone())
            .unwrap_or_default(),
        rule: RuleId::HashMismatch,
        severity: Severity::Error,
        events: vec![event.hash.clone()],
        message: format!(
            "The event declares eventID `{declared}`, but its content hashes to `{}`: it was changed after its ID was computed, or its sender hashes differently.",
            event.hash
        ),
    })
}

/// Runs every rule over `events`, sorting them by event time first (stable: ties keep
/// their order).
pub fn check(events: &[EventFacts]) -> Vec<Finding> {
    let mut order: Vec<&EventFacts> = events.iter().collect();
    order.sort_by_key(|e| e.time);
    let mut retracted = BTreeSet::new();
    for event in &order {
        if event.error_declaration {
            retracted.insert(event.hash.clone());
        }
    }
    let mut checker = Checker::new();
    for event in order {
        if !retracted.contains(&event.hash) {
            checker.observe(event);
        }
    }
    checker.finish()
}
