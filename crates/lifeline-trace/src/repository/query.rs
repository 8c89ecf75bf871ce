//! Queries over the repository: the filters as a user writes them ([`Query`]), their
//! checking and canonical forms, and the SQL that answers them.

use serde::Serialize;

use super::Repository;
use super::layout::{decode_facts, hash_key};
use crate::TraceError;
use crate::facts::{EventFacts, canonical_id};

/// One stored event, as queries return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    /// The facts (hash, time, bizStep, EPCs, ...).
    #[serde(flatten)]
    pub facts: EventFacts,
    /// Whether an error declaration retracted it.
    pub retracted: bool,
    /// The file or label it came from.
    pub source: String,
    /// The event as EPCIS 2.0 JSON-LD.
    pub body: serde_json::Value,
}

impl StoredEvent {
    /// A stored event from its parts: the body as [`PreparedEvent::body`](super::PreparedEvent)
    /// stored it, given the standard `@context` when it has none of its own.
    pub fn from_stored(
        facts: EventFacts,
        retracted: bool,
        source: String,
        body: &str,
    ) -> Result<StoredEvent, TraceError> {
        let mut body: serde_json::Value =
            serde_json::from_str(body).map_err(|e| TraceError::Corrupt {
                what: "event body",
                message: e.to_string(),
            })?;
        if let serde_json::Value::Object(map) = &mut body
            && !map.contains_key("@context")
        {
            map.insert("@context".to_owned(), default_context());
        }
        Ok(StoredEvent {
            facts,
            retracted,
            source,
            body,
        })
    }
}

/// A query as a user writes it: every given filter must hold. [`Repository::query`] checks
/// and canonicalises the filters first (see [`Query::validate`]). With the `clap` feature it
/// is also the set of flags of a command-line query, these comments being their help.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct Query {
    /// A product in any role (EPC URN or GS1 Digital Link)
    #[cfg_attr(feature = "clap", arg(long))]
    pub epc: Option<String>,
    /// A class in a quantity list: LGTIN (`urn:epc:class:lgtin:…`), product class
    /// (`urn:epc:idpat:sgtin:…`) or a Digital Link with a GTIN and no serial
    #[cfg_attr(feature = "clap", arg(long))]
    pub class: Option<String>,
    /// Events at or after this time: `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]` or `YYYY-MM-DD` (UTC)
    #[cfg_attr(feature = "clap", arg(long))]
    pub from: Option<String>,
    /// Events before this time (same forms)
    #[cfg_attr(feature = "clap", arg(long))]
    pub to: Option<String>,
    /// CBV bizStep: a term (`shipping`), its URI, or a custom URI
    #[cfg_attr(feature = "clap", arg(long))]
    pub biz_step: Option<String>,
    /// CBV disposition: a term (`in_transit`), its URI, or a custom URI
    #[cfg_attr(feature = "clap", arg(long))]
    pub disposition: Option<String>,
    /// readPoint or bizLocation (SGLN URN or Digital Link)
    #[cfg_attr(feature = "clap", arg(long))]
    pub location: Option<String>,
    /// A source or destination (owning or possessing party, or location)
    #[cfg_attr(feature = "clap", arg(long))]
    pub party: Option<String>,
    /// At most this many events (the earliest)
    #[cfg_attr(feature = "clap", arg(long))]
    pub limit: Option<usize>,
}

/// A checked query: identifiers canonical, times in UTC milliseconds, CBV terms bare
/// ([`Query::checked`]), for a store of events other than the [`Repository`] to answer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Filters {
    /// A product in any role (canonical).
    pub epc: Option<String>,
    /// A class in a quantity list (canonical).
    pub class: Option<String>,
    /// Events at or after this time (UTC milliseconds).
    pub from: Option<i64>,
    /// Events before this time (UTC milliseconds).
    pub to: Option<i64>,
    /// CBV bizStep term, or a custom URI.
    pub biz_step: Option<String>,
    /// CBV disposition term, or a custom URI.
    pub disposition: Option<String>,
    /// readPoint or bizLocation (canonical).
    pub location: Option<String>,
    /// A source or destination (canonical).
    pub party: Option<String>,
    /// At most this many events (the earliest).
    pub limit: Option<usize>,
}

fn filter_error(field: &str, message: String) -> TraceError {
    TraceError::invalid(
        crate::Location {
            field: Some(field.to_owned()),
            ..crate::Location::default()
        },
        message,
    )
}

/// Whether a canonical identifier names a class (a GTIN without serial) rather than an instance.
fn is_class(value: &str, canonical: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("urn:epc:class:") || lower.starts_with("urn:epc:idpat:") {
        return true;
    }
    canonical.starts_with("https://id.gs1.org/01/") && !canonical.contains("/21/")
}

fn identifier(field: &str, value: &str) -> Result<(String, bool), TraceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(filter_error(field, "empty: give an identifier".into()));
    }
    if value.chars().any(char::is_whitespace) || !value.contains(':') {
        return Err(filter_error(
            field,
            format!(
                "`{value}` is not an identifier URI: give an EPC URN (`urn:epc:id:sgtin:…`, `urn:epc:id:sgln:…`) or a GS1 Digital Link (`https://id.gs1.org/…`)"
            ),
        ));
    }
    match crate::identifiers::canonical(value) {
        Err(reason) => Err(filter_error(
            field,
            format!("malformed GS1 identifier `{value}`: {reason}"),
        )),
        Ok(Some(link)) => {
            let class = is_class(value, &link);
            Ok((link, class))
        }
        Ok(None) => Ok((value.to_owned(), is_class(value, value))),
    }
}

fn time_filter(field: &str, value: &str) -> Result<i64, TraceError> {
    let value = value.trim();
    if let Some(timestamp) = crate::time::Timestamp::parse(value) {
        return Ok(timestamp.millis());
    }
    if let Some(days) = crate::time::parse_date_days(value) {
        return Ok(days * 86_400_000);
    }
    Err(filter_error(
        field,
        format!(
            "`{value}` is neither a date-time (`2024-01-31T12:00:00Z`, `2024-01-31T07:00-05:00`) nor a date (`2024-01-31`, UTC)"
        ),
    ))
}

fn term_filter(
    field: &str,
    value: &str,
    terms: &[&str],
    prefixes: &[&str],
    what: &str,
) -> Result<String, TraceError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(filter_error(field, format!("empty: give a CBV {what}")));
    }
    let term = crate::facts::cbv_term(value);
    let standard = !value.contains(':') || prefixes.iter().any(|p| value.starts_with(p));
    if standard && !terms.contains(&term.as_str()) {
        let hint = crate::vocabulary::closest(&term, terms)
            .map(|t| format!(" (did you mean `{t}`?)"))
            .unwrap_or_default();
        return Err(filter_error(
            field,
            format!("`{value}` is not a CBV 2.0 {what}{hint}; a custom one must be a full URI"),
        ));
    }
    Ok(term)
}

impl Query {
    /// Checks the filters as a user wrote them: identifiers must be URIs and well-formed
    /// when they are GS1 keys (an `epc` must be an instance, a `class` a class), times must
    /// be date-times or dates with `from` before `to`, a bizStep or disposition given as a
    /// bare term or a CBV URI must be a CBV 2.0 term, and a `limit` at least 1. The error
    /// (`TraceError::Invalid`) names the filter in its location's `field`.
    pub fn validate(&self) -> Result<(), TraceError> {
        self.parse().map(drop)
    }

    /// The filters checked (as [`Query::validate`] does) and in the form stored events are
    /// matched against: identifiers canonical, times in UTC milliseconds, CBV terms bare.
    pub fn checked(&self) -> Result<Filters, TraceError> {
        let mut filters = self.parse()?;
        for id in [
            &mut filters.epc,
            &mut filters.class,
            &mut filters.location,
            &mut filters.party,
        ]
        .into_iter()
        .flatten()
        {
            *id = canonical_id(id);
        }
        for term in [&mut filters.biz_step, &mut filters.disposition]
            .into_iter()
            .flatten()
        {
            *term = crate::facts::cbv_term(term);
        }
        Ok(filters)
    }

    pub(super) fn parse(&self) -> Result<Filters, TraceError> {
        let mut query = Filters {
            limit: self.limit,
            ..Filters::default()
        };
        if let Some(epc) = &self.epc {
            let (id, class) = identifier("epc", epc)?;
            if class {
                return Err(filter_error(
                    "epc",
                    format!(
                        "`{}` names a class (no serial number): use the class filter",
                        epc.trim()
                    ),
                ));
            }
            query.epc = Some(id);
        }
        if let Some(class) = &self.class {
            let (id, is_class) = identifier("class", class)?;
            if !is_class {
                return Err(filter_error(
                    "class",
                    format!(
                        "`{}` is not a class: give an LGTIN (`urn:epc:class:lgtin:…`), a product class (`urn:epc:idpat:sgtin:…`) or a Digital Link with a GTIN and no serial",
                        class.trim()
                    ),
                ));
            }
            query.class = Some(id);
        }
        query.from = self
            .from
            .as_deref()
            .map(|v| time_filter("from", v))
            .transpose()?;
        query.to = self
            .to
            .as_deref()
            .map(|v| time_filter("to", v))
            .transpose()?;
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from >= to
        {
            return Err(filter_error(
                "to",
                "must be later than `from` (`to` is exclusive)".into(),
            ));
        }
        if let Some(step) = &self.biz_step {
            query.biz_step = Some(term_filter(
                "biz-step",
                step,
                crate::vocabulary::BIZ_STEPS,
                &[
                    "https://ref.gs1.org/cbv/BizStep-",
                    "urn:epcglobal:cbv:bizstep:",
                ],
                "bizStep",
            )?);
        }
        if let Some(disposition) = &self.disposition {
            query.disposition = Some(term_filter(
                "disposition",
                disposition,
                crate::vocabulary::DISPOSITIONS,
                &["https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:"],
                "disposition",
            )?);
        }
        if let Some(location) = &self.location {
            query.location = Some(identifier("location", location)?.0);
        }
        if let Some(party) = &self.party {
            query.party = Some(identifier("party", party)?.0);
        }
        if query.limit == Some(0) {
            return Err(filter_error("limit", "must be at least 1".into()));
        }
        Ok(query)
    }
}

fn default_context() -> serde_json::Value {
    serde_json::Value::Array(vec![serde_json::Value::String(
        crate::write::EPCIS_CONTEXT.to_owned(),
    )])
}

impl Repository {
    fn rows(
        &self,
        sql: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredEvent>, TraceError> {
        let mut statement = self.connection.prepare(sql)?;
        let rows = statement.query_map(values, |row| {
            Ok((
                row.get::<_, Vec<u8>>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (facts, retracted, source, body) = row?;
            let facts = decode_facts(&facts)?;
            out.push(StoredEvent::from_stored(
                facts,
                retracted != 0,
                source,
                &body,
            )?);
        }
        Ok(out)
    }

    /// The full history of one product: every event naming it in any role, in time order.
    /// The identifier is canonicalised but not checked: one the repository does not hold
    /// has no events.
    pub fn history(&self, epc: &str) -> Result<Vec<StoredEvent>, TraceError> {
        self.select(&Filters {
            epc: Some(epc.to_owned()),
            ..Filters::default()
        })
    }

    /// Events matching every filter of `query`, in time order; an invalid filter is an
    /// error that names it (see [`Query::validate`]).
    pub fn query(&self, query: &Query) -> Result<Vec<StoredEvent>, TraceError> {
        self.select(&query.parse()?)
    }

    fn select(&self, query: &Filters) -> Result<Vec<StoredEvent>, TraceError> {
        let mut sql = String::from(
            "SELECT e.facts, e.retracted, s.label, e.body FROM events e JOIN sources s ON s.id = e.source WHERE 1 = 1",
        );
        let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(epc) = &query.epc {
            sql.push_str(
                " AND e.seq IN (SELECT ee.seq FROM event_epcs ee JOIN epcs p ON p.id = ee.epc WHERE p.epc = ?)",
            );
            values.push(Box::new(canonical_id(epc)));
        }
        if let Some(class) = &query.class {
            sql.push_str(" AND e.seq IN (SELECT seq FROM event_classes WHERE class = ?)");
            values.push(Box::new(canonical_id(class)));
        }
        if let Some(from) = query.from {
            sql.push_str(" AND e.event_time >= ?");
            values.push(Box::new(from));
        }
        if let Some(to) = query.to {
            sql.push_str(" AND e.event_time < ?");
            values.push(Box::new(to));
        }
        if let Some(step) = &query.biz_step {
            sql.push_str(" AND e.biz_step = ?");
            values.push(Box::new(crate::facts::cbv_term(step)));
        }
        if let Some(disposition) = &query.disposition {
            sql.push_str(" AND e.disposition = ?");
            values.push(Box::new(crate::facts::cbv_term(disposition)));
        }
        if let Some(location) = &query.location {
            sql.push_str(" AND (e.read_point = ? OR e.biz_location = ?)");
            let id = canonical_id(location);
            values.push(Box::new(id.clone()));
            values.push(Box::new(id));
        }
        if let Some(party) = &query.party {
            sql.push_str(" AND e.seq IN (SELECT seq FROM event_parties WHERE id = ?)");
            values.push(Box::new(canonical_id(party)));
        }
        sql.push_str(" ORDER BY e.event_time, e.seq");
        if let Some(limit) = query.limit {
            sql.push_str(" LIMIT ?");
            values.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let refs: Vec<&dyn rusqlite::ToSql> = values.iter().map(|v| v.as_ref()).collect();
        self.rows(&sql, &refs)
    }

    /// The stored event with this hash.
    pub fn get(&self, hash: &str) -> Result<Option<StoredEvent>, TraceError> {
        Ok(self
            .rows(
                "SELECT e.facts, e.retracted, s.label, e.body FROM events e JOIN sources s ON s.id = e.source WHERE e.hash = ?",
                &[&hash_key(hash.trim())],
            )?
            .pop())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_canonicalised() {
        let query = Query {
            epc: Some(" urn:epc:id:sgtin:030001.0012345.11 ".into()),
            from: Some("2023-04-01".into()),
            to: Some("2023-04-02T00:00:00+02:00".into()),
            biz_step: Some("urn:epcglobal:cbv:bizstep:shipping".into()),
            disposition: Some("in_transit".into()),
            limit: Some(5),
            ..Query::default()
        }
        .parse()
        .expect("valid");
        assert_eq!(
            query.epc.as_deref(),
            Some("https://id.gs1.org/01/00300010123455/21/11")
        );
        assert_eq!(query.from, Some(1_680_307_200_000));
        assert_eq!(query.to, Some(1_680_386_400_000));
        assert_eq!(query.biz_step.as_deref(), Some("shipping"));
        assert_eq!(query.disposition.as_deref(), Some("in_transit"));
        assert_eq!(query.limit, Some(5));
        let custom = Query {
            biz_step: Some("https://example.com/steps/wrapping".into()),
            ..Query::default()
        }
        .parse()
        .expect("custom URI");
        assert_eq!(
            custom.biz_step.as_deref(),
            Some("https://example.com/steps/wrapping")
        );
    }
}
