//! Decoding a [`Raw`] document into the typed [`Network`], collecting every problem.
//!
//! Decoding never stops at the first problem: a field of the wrong type is reported and
//! treated as absent, so one run lists everything that is wrong with a document.

use crate::error::Diagnostic;
use crate::model::{
    Allocation, DEFAULT_HORIZON, Defection, Dependency, Disruption, Edge, FORMAT, Facility, Item,
    Network, Node, Policy, Scenario, ShareStep, Target, Unmet, vendor_id,
};
use crate::raw::{Raw, format_number};

/// The largest quantity (units, or units per time unit): capacities, inventories,
/// demands and stock levels. The stress test's LPs take quantities divided by windows
/// down to [`MIN_WINDOW`], and HiGHS reads any bound of 1e20 or more as infinite, so
/// every quantity that validates stays well inside what the solver can take.
pub const MAX_QUANTITY: f64 = 1e12;
/// The largest amount of money: `spend`, `downtime_cost`.
pub const MAX_MONEY: f64 = 1e15;
/// The range of `value`, the loss per unit of unmet demand (an objective coefficient).
pub const MIN_VALUE: f64 = 1e-9;
/// See [`MIN_VALUE`].
pub const MAX_VALUE: f64 = 1e9;
/// The range of a `bom` ratio (a coefficient of the LPs' material rows).
pub const MIN_RATIO: f64 = 1e-6;
/// See [`MIN_RATIO`].
pub const MAX_RATIO: f64 = 1e6;
/// The longest time, in time units (about 270 years in days): horizons, times to
/// recover, lead times, days. The simulator keeps a day's shipments per edge for its
/// lead time, so a lead time also sizes memory.
pub const MAX_DAYS: f64 = 1e5;
/// The shortest positive window, `horizon` or `ttr`: the LPs multiply by w = 1/t, so a
/// window of `1e-320` would make w infinite.
pub const MIN_WINDOW: f64 = 1e-3;

/// The range a number must fall in: each numeric field has one, finite and within what
/// the stress test's LPs and the simulator can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// 0 ≤ x ≤ [`MAX_QUANTITY`]
    Quantity,
    /// 0 ≤ x ≤ [`MAX_MONEY`]
    Money,
    /// [`MIN_VALUE`] ≤ x ≤ [`MAX_VALUE`]
    Value,
    /// [`MIN_RATIO`] ≤ x ≤ [`MAX_RATIO`]
    Ratio,
    /// 0 ≤ x ≤ [`MAX_DAYS`]
    Days,
    /// x = 0 or [`MIN_WINDOW`] ≤ x ≤ [`MAX_DAYS`] (a `ttr`)
    Window,
    /// [`MIN_WINDOW`] ≤ x ≤ [`MAX_DAYS`] (the `horizon`)
    Horizon,
    /// 0 ≤ x ≤ 1
    Fraction,
}

impl Range {
    fn contains(self, x: f64) -> bool {
        match self {
            Range::Quantity => (0.0..=MAX_QUANTITY).contains(&x),
            Range::Money => (0.0..=MAX_MONEY).contains(&x),
            Range::Value => (MIN_VALUE..=MAX_VALUE).contains(&x),
            Range::Ratio => (MIN_RATIO..=MAX_RATIO).contains(&x),
            Range::Days => (0.0..=MAX_DAYS).contains(&x),
            Range::Window => x == 0.0 || (MIN_WINDOW..=MAX_DAYS).contains(&x),
            Range::Horizon => (MIN_WINDOW..=MAX_DAYS).contains(&x),
            Range::Fraction => (0.0..=1.0).contains(&x),
        }
    }
    fn describe(self) -> String {
        match self {
            Range::Quantity => format!("a number from 0 to {MAX_QUANTITY:e}"),
            Range::Money => format!("a number from 0 to {MAX_MONEY:e}"),
            Range::Value => format!("a number from {MIN_VALUE:e} to {MAX_VALUE:e}"),
            Range::Ratio => format!("a number from {MIN_RATIO:e} to {MAX_RATIO:e}"),
            Range::Days => format!("a number from 0 to {MAX_DAYS}"),
            Range::Window => format!("0 or a number from {MIN_WINDOW} to {MAX_DAYS}"),
            Range::Horizon => format!("a number from {MIN_WINDOW} to {MAX_DAYS}"),
            Range::Fraction => "a number from 0 to 1".to_owned(),
        }
    }
}

/// Whether an identifier holds a character that must not reach a terminal or a
/// spreadsheet ([`lifeline_text::is_unsafe`]): such an id is refused rather than escaped
/// wherever it is shown, so that every report can print ids as they are.
fn unsafe_char(value: &str) -> Option<char> {
    value.chars().find(|&c| lifeline_text::is_unsafe(c))
}

/// Collects diagnostics while fields are read. Other documents that share the network's
/// conventions (the vendor register of lifeline-risk) decode with it too: every problem
/// collected, each at its path, unknown fields warned about.
#[derive(Debug, Default)]
pub struct Decoder {
    pub diagnostics: Vec<Diagnostic>,
}

/// The fields of one object, tracking which were read so the rest can be warned about.
pub struct Fields<'a> {
    path: String,
    entries: &'a [(String, Raw)],
    used: Vec<bool>,
}

impl<'a> Fields<'a> {
    /// The value of `key`, if present and not null.
    pub fn get(&mut self, key: &str) -> Option<&'a Raw> {
        let position = self.entries.iter().position(|(k, _)| k == key)?;
        self.used[position] = true;
        match &self.entries[position].1 {
            Raw::Null => None,
            value => Some(value),
        }
    }

    pub fn path(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Decoder {
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(path, message));
    }

    /// Checks a document's `format` field: a warning when it is missing (read as
    /// `expected`), an error when it is another.
    pub fn format(&mut self, fields: &mut Fields<'_>, expected: &str) {
        match fields.get("format") {
            None => self.diagnostics.push(
                Diagnostic::warning("format", format!("missing; read as `{expected}`"))
                    .with_hint(format!("add \"format\": \"{expected}\"")),
            ),
            Some(Raw::String(f)) if f == expected => {}
            Some(other) => self.error(
                "format",
                format!(
                    "unsupported format {}, expected `\"{expected}\"`",
                    other.describe()
                ),
            ),
        }
    }

    /// Opens an object, reporting duplicate keys; `None` (reported) when `raw` is no object.
    pub fn object<'a>(&mut self, raw: &'a Raw, path: &str) -> Option<Fields<'a>> {
        let Raw::Map(entries) = raw else {
            self.error(
                path,
                format!("expected an object, found {}", raw.describe()),
            );
            return None;
        };
        // A repeated key is reported here, and marked as read so that it is not also
        // warned about as an unknown field.
        let mut used = vec![false; entries.len()];
        for (i, (key, _)) in entries.iter().enumerate() {
            if entries[..i].iter().any(|(k, _)| k == key) {
                self.error(
                    join(path, &lifeline_text::excerpt(key)),
                    "duplicate key: the object names this field twice",
                );
                used[i] = true;
            }
        }
        Some(Fields {
            path: path.to_owned(),
            entries,
            used,
        })
    }

    /// Warns about every field of `fields` that was never read.
    pub fn finish(&mut self, fields: Fields<'_>) {
        for ((key, _), used) in fields.entries.iter().zip(&fields.used) {
            if !used {
                self.diagnostics.push(Diagnostic::warning(
                    join(&fields.path, &lifeline_text::excerpt(key)),
                    "unknown field, ignored",
                ));
            }
        }
    }

    pub fn string(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        match fields.get(key)? {
            Raw::String(s) => Some(s.clone()),
            other => {
                self.error(
                    fields.path(key),
                    format!("expected a string, found {}", other.describe()),
                );
                None
            }
        }
    }

    /// Reports an identifier (an id, a reference to one, a material) that holds a control
    /// or invisible formatting character; `false` when it does.
    pub fn identifier_ok(&mut self, path: impl Into<String>, value: &str) -> bool {
        let Some(c) = unsafe_char(value) else {
            return true;
        };
        self.diagnostics.push(
            Diagnostic::error(
                path,
                format!(
                    "`{}` holds the control or invisible character U+{:04X}, which an identifier may not hold",
                    lifeline_text::excerpt(value),
                    u32::from(c)
                ),
            )
            .with_hint("identifiers are printed in tables, CSV and messages: remove the character"),
        );
        false
    }

    /// An optional string that names an identifier (a reference or a material).
    pub fn identifier(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let value = self.string(fields, key)?;
        self.identifier_ok(fields.path(key), &value)
            .then_some(value)
    }

    /// A required, non-empty id.
    pub fn id(&mut self, fields: &mut Fields<'_>, key: &str) -> Option<String> {
        let path = fields.path(key);
        match self.string(fields, key) {
            Some(id) if id.trim().is_empty() => {
                self.error(path, "an id must not be empty");
                None
            }
            Some(id) if !self.identifier_ok(path.clone(), &id) => None,
            Some(id) => Some(id),
            None => {
                if fields.get(key).is_none() {
                    self.error(path, "missing required field");
                }
                None
            }
        }
    }

    pub fn number_at(&mut self, raw: &Raw, path: &str, range: Range) -> Option<f64> {
        let Raw::Number(x) = raw else {
            self.error(
                path,
                format!("expected {}, found {}", range.describe(), raw.describe()),
            );
            return None;
        };
        if !x.is_finite() {
            self.error(
                path,
                format!("must be a finite number, found `{}`", format_number(*x)),
            );
            return None;
        }
        if !range.contains(*x) {
            self.error(
                path,
                format!(
                    "must be {}, found `{}`",
                    range.describe(),
                    format_number(*x)
                ),
            );
            return None;
        }
        Some(*x)
    }

    /// A number that must be present.
    pub fn required_number(
        &mut self,
        fields: &mut Fields<'_>,
        key: &str,
        range: Range,
    ) -> Option<f64> {
        if fields.get(key).is_none() {
            self.error(fields.path(key), "missing required field");
            return None;
        }
        self.number(fields, key, range)
    }

    pub fn number(&mut self, fields: &mut Fields<'_>, key: &str, range: Range) -> Option<f64> {
        let raw = fields.get(key)?;
        self.number_at(raw, &fields.path(key), range)
    }

    /// A list field; absent means empty.
    pub fn list<'a>(&mut self, fields: &mut Fields<'a>, key: &str) -> &'a [Raw] {
        match fields.get(key) {
            None => &[],
            Some(Raw::List(items)) => items,
            Some(other) => {
                self.error(
                    fields.path(key),
                    format!("expected a list, found {}", other.describe()),
                );
                &[]
            }
        }
    }
}

/// Decodes a whole network document.
pub(crate) fn network(decoder: &mut Decoder, raw: &Raw) -> Network {
    let mut network = Network {
        name: String::new(),
        time_unit: "day".to_owned(),
        horizon: DEFAULT_HORIZON,
        nodes: Vec::new(),
        edges: Vec::new(),
        sites: Vec::new(),
        platforms: Vec::new(),
        items: Vec::new(),
        scenarios: None,
    };
    let Some(mut fields) = decoder.object(raw, "") else {
        return network;
    };
    decoder.format(&mut fields, FORMAT);
    network.name = decoder.string(&mut fields, "name").unwrap_or_default();
    if let Some(unit) = decoder.string(&mut fields, "time_unit") {
        network.time_unit = unit;
    }
    if let Some(horizon) = decoder.number(&mut fields, "horizon", Range::Horizon) {
        network.horizon = horizon;
    }
    for (i, raw) in decoder.list(&mut fields, "nodes").iter().enumerate() {
        if let Some(node) = node(decoder, raw, &format!("nodes[{i}]")) {
            network.nodes.push(node);
        }
    }
    for (i, raw) in decoder.list(&mut fields, "edges").iter().enumerate() {
        if let Some(edge) = edge(decoder, raw, &format!("edges[{i}]")) {
            network.edges.push(edge);
        }
    }
    for (i, raw) in decoder.list(&mut fields, "sites").iter().enumerate() {
        if let Some(site) = facility(decoder, raw, &format!("sites[{i}]")) {
            network.sites.push(site);
        }
    }
    for (i, raw) in decoder.list(&mut fields, "platforms").iter().enumerate() {
        if let Some(platform) = facility(decoder, raw, &format!("platforms[{i}]")) {
            network.platforms.push(platform);
        }
    }
    for (i, raw) in decoder.list(&mut fields, "items").iter().enumerate() {
        if let Some(item) = item(decoder, raw, &format!("items[{i}]")) {
            network.items.push(item);
        }
    }
    if fields.get("scenarios").is_some() {
        let items = decoder.list(&mut fields, "scenarios");
        network.scenarios = Some(scenarios(decoder, items, "scenarios"));
    }
    decoder.finish(fields);
    network
}

fn node(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Node> {
    let mut fields = decoder.object(raw, path)?;
    let id = decoder.id(&mut fields, "id");
    let kind = decoder.string(&mut fields, "kind");
    let material = decoder.identifier(&mut fields, "material");
    let site = decoder.identifier(&mut fields, "site");
    let capacity = decoder.number(&mut fields, "capacity", Range::Quantity);
    let inventory = decoder
        .number(&mut fields, "inventory", Range::Quantity)
        .unwrap_or(0.0);
    let demand = decoder.number(&mut fields, "demand", Range::Quantity);
    let value = decoder
        .number(&mut fields, "value", Range::Value)
        .unwrap_or(1.0);
    let ttr = decoder.number(&mut fields, "ttr", Range::Window);
    let spend = decoder.number(&mut fields, "spend", Range::Money);
    let mut bom = Vec::new();
    if let Some(raw_bom) = fields.get("bom") {
        let bom_path = fields.path("bom");
        if let Some(mut ratios) = decoder.object(raw_bom, &bom_path) {
            for (material, ratio) in ratios.entries {
                let key_path = join(&bom_path, &lifeline_text::excerpt(material));
                if !decoder.identifier_ok(key_path, material) {
                    continue;
                }
                if let Some(r) = decoder.number_at(
                    ratio,
                    &join(&bom_path, &lifeline_text::excerpt(material)),
                    Range::Ratio,
                ) {
                    bom.push((material.clone(), r));
                }
            }
            ratios.used.fill(true);
            decoder.finish(ratios);
        }
    }
    let mut depends_on = Vec::new();
    let dependency_path = fields.path("depends_on");
    for (i, raw) in decoder.list(&mut fields, "depends_on").iter().enumerate() {
        let path = format!("{dependency_path}[{i}]");
        let Some(mut entry) = decoder.object(raw, &path) else {
            continue;
        };
        let platform = decoder.id(&mut entry, "platform");
        let degraded = decoder
            .number(&mut entry, "degraded_capacity", Range::Fraction)
            .unwrap_or(0.0);
        decoder.finish(entry);
        if let Some(platform) = platform {
            depends_on.push(Dependency {
                platform,
                degraded_capacity: degraded,
            });
        }
    }
    let policy = fields
        .get("policy")
        .and_then(|raw| policy(decoder, raw, &join(path, "policy")));
    let unmet = match decoder.string(&mut fields, "unmet").as_deref() {
        None | Some("lost") => Unmet::Lost,
        Some("backorder") => Unmet::Backorder,
        Some(other) => {
            decoder.error(
                fields.path("unmet"),
                format!(
                    "unknown value `{}`, expected `lost` or `backorder`",
                    lifeline_text::excerpt(other)
                ),
            );
            Unmet::Lost
        }
    };
    let allocation = fields
        .get("allocation")
        .and_then(|raw| allocation(decoder, raw, &join(path, "allocation")))
        .unwrap_or_default();
    let gln = gln(decoder, &mut fields);
    let vendor = vendor(decoder, &mut fields);
    decoder.finish(fields);
    let id = id?;
    Some(Node {
        material: material.unwrap_or_else(|| id.clone()),
        id,
        kind,
        site,
        capacity,
        inventory,
        demand,
        value,
        ttr,
        bom,
        depends_on,
        spend,
        policy,
        unmet,
        allocation,
        gln,
        vendor,
    })
}

/// `"proportional"`, `"criticality"` or `{ "shares": [ { "from_day", "shares": {kind: f} } ] }`.
fn allocation(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Allocation> {
    match raw {
        Raw::String(rule) => match rule.as_str() {
            "proportional" => Some(Allocation::Proportional),
            "criticality" => Some(Allocation::Criticality),
            other => {
                decoder.error(
                    path,
                    format!(
                        "unknown allocation rule `{}`, expected `proportional`, \
                         `criticality` or an object with `shares`",
                        lifeline_text::excerpt(other)
                    ),
                );
                None
            }
        },
        Raw::Map(_) => {
            let mut fields = decoder.object(raw, path)?;
            let steps_path = fields.path("shares");
            let present = fields.get("shares").is_some();
            let items = decoder.list(&mut fields, "shares");
            decoder.finish(fields);
            if !present || items.is_empty() {
                decoder.error(steps_path, "missing required field: a list of steps");
                return None;
            }
            let mut steps: Vec<ShareStep> = Vec::with_capacity(items.len());
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                let step_path = format!("{steps_path}[{i}]");
                let Some(mut step) = decoder.object(item, &step_path) else {
                    ok = false;
                    continue;
                };
                let from_day = decoder.required_number(&mut step, "from_day", Range::Days);
                let kinds_path = step.path("shares");
                let mut shares = Vec::new();
                match step.get("shares") {
                    Some(kinds) => {
                        if let Some(mut by_kind) = decoder.object(kinds, &kinds_path) {
                            for (kind, share) in by_kind.entries {
                                match decoder.number_at(
                                    share,
                                    &join(&kinds_path, &lifeline_text::excerpt(kind)),
                                    Range::Fraction,
                                ) {
                                    Some(f) => shares.push((kind.clone(), f)),
                                    None => ok = false,
                                }
                            }
                            by_kind.used.fill(true);
                            decoder.finish(by_kind);
                        } else {
                            ok = false;
                        }
                    }
                    None => {
                        decoder.error(kinds_path, "missing required field");
                        ok = false;
                    }
                }
                decoder.finish(step);
                let Some(from_day) = from_day else {
                    ok = false;
                    continue;
                };
                if let Some(previous) = steps.last()
                    && from_day <= previous.from_day
                {
                    decoder.error(
                        format!("{step_path}.from_day"),
                        "days must increase from one step to the next",
                    );
                    ok = false;
                }
                steps.push(ShareStep { from_day, shares });
            }
            ok.then_some(Allocation::Shares(steps))
        }
        other => {
            decoder.error(
                path,
                format!(
                    "expected a rule name or an object with `shares`, found {}",
                    other.describe()
                ),
            );
            None
        }
    }
}

fn policy(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Policy> {
    let mut fields = decoder.object(raw, path)?;
    let kind = decoder.string(&mut fields, "type");
    let policy = match kind.as_deref() {
        Some("base_stock") => {
            let level = decoder.required_number(&mut fields, "level", Range::Quantity);
            level.map(|level| Policy::BaseStock { level })
        }
        Some("s_S") => {
            let s = decoder.required_number(&mut fields, "s", Range::Quantity);
            let big_s = decoder.required_number(&mut fields, "S", Range::Quantity);
            match (s, big_s) {
                (Some(s), Some(big_s)) if s <= big_s => Some(Policy::MinMax { s, big_s }),
                (Some(_), Some(_)) => {
                    decoder.error(join(path, "s"), "the reorder point `s` must not exceed `S`");
                    None
                }
                _ => None,
            }
        }
        Some("days_of_supply") => {
            let days = decoder.required_number(&mut fields, "days", Range::Days);
            days.map(|days| Policy::DaysOfSupply { days })
        }
        Some(other) => {
            decoder.error(
                join(path, "type"),
                format!(
                    "unknown policy `{}`, expected `base_stock`, `s_S` or `days_of_supply`",
                    lifeline_text::excerpt(other)
                ),
            );
            None
        }
        // A `type` of the wrong type was reported by `string`.
        None if fields.get("type").is_some() => None,
        None => {
            decoder.error(join(path, "type"), "missing required field");
            None
        }
    };
    if policy.is_some() {
        decoder.finish(fields);
    }
    policy
}

fn edge(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Edge> {
    let mut fields = decoder.object(raw, path)?;
    let from = decoder.id(&mut fields, "from");
    let to = decoder.id(&mut fields, "to");
    let mut lead_time = 0;
    if let Some(days) = decoder.number(&mut fields, "lead_time", Range::Days) {
        if days.fract() != 0.0 {
            decoder.error(
                fields.path("lead_time"),
                format!(
                    "must be a whole number of time units, found `{}`",
                    format_number(days)
                ),
            );
        } else if days > f64::from(u32::MAX) {
            decoder.error(
                fields.path("lead_time"),
                format!(
                    "must be at most {} time units, found `{}`",
                    u32::MAX,
                    format_number(days)
                ),
            );
        } else {
            // Whole and in range, checked just above.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let whole = days as u32;
            lead_time = whole;
        }
    }
    decoder.finish(fields);
    Some(Edge {
        from: from?,
        to: to?,
        lead_time,
    })
}

fn facility(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Facility> {
    let mut fields = decoder.object(raw, path)?;
    let facility = Facility {
        id: decoder.id(&mut fields, "id").unwrap_or_default(),
        name: decoder.string(&mut fields, "name"),
        kind: decoder.string(&mut fields, "kind"),
        capacity: decoder.number(&mut fields, "capacity", Range::Quantity),
        ttr: decoder.number(&mut fields, "ttr", Range::Window),
        gln: gln(decoder, &mut fields),
        vendor: vendor(decoder, &mut fields),
    };
    decoder.finish(fields);
    (!facility.id.is_empty()).then_some(facility)
}

const LEADING_ZEROS: &str = "write it in quotes, so that leading zeros are kept";

/// An optional `gln`: 13 digits whose last is the GS1 check digit of the others.
fn gln(decoder: &mut Decoder, fields: &mut Fields<'_>) -> Option<String> {
    if let Some(Raw::Number(_)) = fields.get("gln") {
        decoder.diagnostics.push(
            Diagnostic::error(
                fields.path("gln"),
                "a GLN is a string of 13 digits, not a number",
            )
            .with_hint(LEADING_ZEROS),
        );
        return None;
    }
    let text = decoder.string(fields, "gln")?;
    let trimmed = text.trim();
    if trimmed.len() != 13 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        decoder.error(
            fields.path("gln"),
            format!(
                "`{}` is not a GLN: a GLN is 13 digits",
                lifeline_text::excerpt(&text)
            ),
        );
        return None;
    }
    if !lifeline_gs1::is_valid_check_digit(trimmed) {
        let expected = lifeline_gs1::check_digit(&trimmed[..12]).unwrap_or_default();
        decoder.diagnostics.push(
            Diagnostic::error(
                fields.path("gln"),
                format!(
                    "`{}` is not a GLN: its check digit is wrong",
                    lifeline_text::excerpt(&text)
                ),
            )
            .with_hint(format!(
                "the check digit of {} is {expected}",
                &trimmed[..12]
            )),
        );
        return None;
    }
    Some(trimmed.to_owned())
}

/// An optional `vendor`: a vendor id as [`vendor_id`] writes it.
fn vendor(decoder: &mut Decoder, fields: &mut Fields<'_>) -> Option<String> {
    let text = decoder.string(fields, "vendor")?;
    let id = vendor_id(&text);
    if id.is_empty() {
        decoder.error(
            fields.path("vendor"),
            format!(
                "`{}` is not a vendor id: it has no letter or digit",
                lifeline_text::excerpt(&text)
            ),
        );
        return None;
    }
    if id != text {
        decoder.diagnostics.push(
            Diagnostic::error(
                fields.path("vendor"),
                format!("`{}` is not a vendor id: lower-case letters and digits joined by single hyphens", lifeline_text::excerpt(&text)),
            )
            .with_hint(format!("write \"{}\"", lifeline_text::excerpt(&id))),
        );
        return None;
    }
    Some(id)
}

/// One entry of `items`: `{ "id", "name", "gtin": "..." | ["...", ...] }`.
fn item(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Item> {
    let mut fields = decoder.object(raw, path)?;
    let id = decoder.id(&mut fields, "id");
    let name = decoder.string(&mut fields, "name");
    let mut gtins = Vec::new();
    if let Some(raw_gtin) = fields.get("gtin") {
        let gtin_path = fields.path("gtin");
        let entries: Vec<(String, &Raw)> = match raw_gtin {
            Raw::List(list) => list
                .iter()
                .enumerate()
                .map(|(i, raw)| (format!("{gtin_path}[{i}]"), raw))
                .collect(),
            single => vec![(gtin_path, single)],
        };
        for (path, raw) in entries {
            match raw {
                Raw::String(text) => match lifeline_gs1::gtin14(text.trim()) {
                    Ok(gtin) => gtins.push(gtin),
                    Err(error) => decoder.error(
                        path,
                        format!(
                            "not a GTIN: {}",
                            lifeline_text::excerpt_to(&error.to_string(), 200)
                        ),
                    ),
                },
                other => decoder.diagnostics.push(
                    Diagnostic::error(
                        path,
                        format!(
                            "expected a GTIN as a string of digits, found {}",
                            other.describe()
                        ),
                    )
                    .with_hint(LEADING_ZEROS),
                ),
            }
        }
    }
    decoder.finish(fields);
    Some(Item {
        id: id?,
        name,
        gtins,
    })
}

/// Decodes a list of scenarios found at `path`.
pub(crate) fn scenarios(decoder: &mut Decoder, items: &[Raw], path: &str) -> Vec<Scenario> {
    items
        .iter()
        .enumerate()
        .filter_map(|(i, raw)| scenario(decoder, raw, &format!("{path}[{i}]")))
        .collect()
}

fn scenario(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Scenario> {
    let mut fields = decoder.object(raw, path)?;
    let id = decoder.id(&mut fields, "id");
    let ttr = decoder.number(&mut fields, "ttr", Range::Window);
    let start = decoder.number(&mut fields, "start", Range::Days);
    let downtime_cost = decoder.number(&mut fields, "downtime_cost", Range::Money);
    let disrupt_path = fields.path("disrupt");
    let present = fields.get("disrupt").is_some();
    let items = decoder.list(&mut fields, "disrupt");
    let mut disrupt = Vec::new();
    for (i, raw) in items.iter().enumerate() {
        if let Some(d) = disruption(decoder, raw, &format!("{disrupt_path}[{i}]")) {
            disrupt.push(d);
        }
    }
    if !present {
        decoder.error(
            disrupt_path,
            "missing required field: the scenario disrupts nothing",
        );
    } else if items.is_empty() && matches!(fields.get("disrupt"), Some(Raw::List(_))) {
        // A `disrupt` that is no list was reported by `list`.
        decoder.error(disrupt_path, "the scenario disrupts nothing");
    }
    decoder.finish(fields);
    Some(Scenario {
        id: id?,
        ttr,
        disrupt,
        start,
        downtime_cost,
    })
}

fn disruption(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Disruption> {
    let mut fields = decoder.object(raw, path)?;
    let mut targets = Vec::new();
    let mut named = 0;
    for (key, make) in [
        ("node", Target::Node as fn(String) -> Target),
        ("site", Target::Site),
        ("platform", Target::Platform),
    ] {
        if fields.get(key).is_some() {
            named += 1;
            if let Some(id) = decoder.id(&mut fields, key) {
                targets.push(make(id));
            }
        }
    }
    let capacity_factor = decoder
        .number(&mut fields, "capacity_factor", Range::Fraction)
        .unwrap_or(0.0);
    let profile = fields
        .get("profile")
        .and_then(|raw| profile(decoder, raw, &join(path, "profile")));
    let defection = fields.get("defection").and_then(|raw| {
        let path = join(path, "defection");
        let mut entry = decoder.object(raw, &path)?;
        let fraction = decoder.required_number(&mut entry, "fraction", Range::Fraction);
        let after = decoder
            .number(&mut entry, "after", Range::Days)
            .unwrap_or(0.0);
        decoder.finish(entry);
        Some(Defection {
            fraction: fraction?,
            after,
        })
    });
    decoder.finish(fields);
    match named {
        // With one entity named, an id that is not valid was reported by `id`.
        1 => targets.pop().map(|target| Disruption {
            target,
            capacity_factor,
            profile,
            defection,
        }),
        0 => {
            decoder.error(
                path,
                "names no entity: give one of `node`, `site` or `platform`",
            );
            None
        }
        _ => {
            decoder.error(
                path,
                "names more than one entity: give one of `node`, `site` or `platform` per entry",
            );
            None
        }
    }
}

fn profile(decoder: &mut Decoder, raw: &Raw, path: &str) -> Option<Vec<(f64, f64)>> {
    let Raw::List(points) = raw else {
        decoder.error(
            path,
            format!(
                "expected a list of [day, factor] pairs, found {}",
                raw.describe()
            ),
        );
        return None;
    };
    let mut profile = Vec::with_capacity(points.len());
    let mut ok = true;
    for (i, point) in points.iter().enumerate() {
        let point_path = format!("{path}[{i}]");
        let Raw::List(pair) = point else {
            decoder.error(
                point_path,
                format!("expected a [day, factor] pair, found {}", point.describe()),
            );
            ok = false;
            continue;
        };
        let [day, factor] = pair.as_slice() else {
            decoder.error(
                point_path,
                format!("expected a [day, factor] pair, found {} values", pair.len()),
            );
            ok = false;
            continue;
        };
        let day = decoder.number_at(day, &format!("{point_path}[0]"), Range::Days);
        let factor = decoder.number_at(factor, &format!("{point_path}[1]"), Range::Fraction);
        match (day, factor) {
            (Some(day), Some(factor)) => {
                if let Some(&(previous, _)) = profile.last()
                    && day <= previous
                {
                    decoder.error(
                        format!("{point_path}[0]"),
                        "days must increase from one point to the next",
                    );
                    ok = false;
                }
                profile.push((day, factor));
            }
            _ => ok = false,
        }
    }
    if profile.is_empty() && ok {
        decoder.error(path, "a profile needs at least one point");
        ok = false;
    }
    ok.then_some(profile)
}
