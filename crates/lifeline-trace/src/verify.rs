//! Product verification, as a DSCSA verification request asks it (21 U.S.C. 360eee-1):
//! does the product identifier (GTIN, serial number, lot, expiry) match a product on
//! record, and is that product fit to go on? Answered from the repository.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::TraceError;
use crate::facts::{EventFacts, Role, canonical_id};
use crate::repository::Repository;
use crate::rules::{Checker, RuleId, Severity};
use crate::time::parse_date_days;

/// A verification request.
#[derive(Debug, Clone, Default)]
pub struct VerifyRequest {
    /// GTIN (8, 12, 13 or 14 digits).
    pub gtin: String,
    /// Serial number.
    pub serial: String,
    /// Lot number, if given.
    pub lot: Option<String>,
    /// Expiry `YYMMDD` (as in the 2D barcode, AI 17) or `YYYY-MM-DD`, if given.
    pub expiry: Option<String>,
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The identifier matches a commissioned product with a clean history.
    Verified,
    /// It does not; the reason says why.
    NotVerified,
}

/// The verdict with its reason and the events behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Verified or not.
    pub verdict: Verdict,
    /// One sentence.
    pub reason: String,
    /// The EPC asked about (canonical Digital Link).
    pub epc: String,
    /// Event hashes behind the answer.
    pub events: Vec<String>,
}

/// Days since the epoch of an expiry in `YYMMDD` (day `00` = last day of the month, GS1
/// General Specifications §3.4.7; years per the GS1 sliding century, here 2000–2099) or
/// `YYYY-MM-DD`.
pub fn expiry_days(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        let (yy, mm, dd) = (&t[0..2], &t[2..4], &t[4..6]);
        let year = format!("20{yy}");
        if dd == "00" {
            // Last day of the month: the day before the first of the next month.
            let month: u32 = mm.parse().ok()?;
            let (y, m) = if month == 12 {
                (year.parse::<i64>().ok()? + 1, 1)
            } else {
                (year.parse::<i64>().ok()?, month + 1)
            };
            return parse_date_days(&format!("{y:04}-{m:02}-01")).map(|d| d - 1);
        }
        return parse_date_days(&format!("{year}-{mm}-{dd}"));
    }
    parse_date_days(t)
}

fn not_verified(epc: &str, reason: String, events: Vec<String>) -> Verification {
    Verification {
        verdict: Verdict::NotVerified,
        reason,
        epc: epc.to_owned(),
        events,
    }
}

/// Answers a verification request from the repository.
pub fn verify(
    repository: &Repository,
    request: &VerifyRequest,
) -> Result<Verification, TraceError> {
    verify_with(
        &mut |epc| {
            Ok(repository
                .history(epc)?
                .into_iter()
                .map(|stored| (stored.facts, stored.retracted))
                .collect())
        },
        request,
    )
}

/// The events of one product's history: the facts of each, and whether it is retracted.
pub type History = Vec<(EventFacts, bool)>;

/// As [`verify`], over events kept elsewhere: `history` gives, for a canonical EPC, the
/// facts of every stored event naming it in any role, in time order (ties in the order they
/// were stored), each with whether it is retracted, as [`Repository::history`] does.
pub fn verify_with<E: From<TraceError>>(
    history: &mut dyn FnMut(&str) -> Result<History, E>,
    request: &VerifyRequest,
) -> Result<Verification, E> {
    let gtin = request.gtin.trim();
    if gtin.is_empty() || gtin.len() > 14 || !gtin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TraceError::invalid(
            crate::Location {
                field: Some("gtin".into()),
                ..Default::default()
            },
            format!("`{gtin}` is not a GTIN (8 to 14 digits)"),
        )
        .into());
    }
    let uri = format!(
        "https://id.gs1.org/01/{gtin:0>14}/21/{}",
        request.serial.trim()
    );
    let epc = match lifeline_gs1::canonical_digital_link(&uri) {
        Ok(Some(link)) => link,
        Ok(None) => canonical_id(&uri),
        Err(error) => {
            return Err(TraceError::Identifier {
                location: crate::Location {
                    field: Some("gtin/serial".into()),
                    ..Default::default()
                },
                value: uri,
                message: error.to_string(),
            }
            .into());
        }
    };
    // The product's events and those of every parent it was packed into.
    let mut wanted = vec![epc.clone()];
    let mut seen = BTreeSet::new();
    let mut events: Vec<EventFacts> = Vec::new();
    let mut hashes = BTreeSet::new();
    while let Some(next) = wanted.pop() {
        if !seen.insert(next.clone()) {
            continue;
        }
        for (facts, retracted) in history(&next)? {
            if retracted {
                continue;
            }
            if facts.is_aggregation()
                && facts
                    .epcs
                    .iter()
                    .any(|(e, r)| *e == next && *r == Role::Child)
            {
                for (parent, role) in &facts.epcs {
                    if *role == Role::Parent {
                        wanted.push(parent.clone());
                    }
                }
            }
            if hashes.insert(facts.hash.clone()) {
                events.push(facts);
            }
        }
    }
    events.sort_by_key(|e| e.time);
    let commissioning: Vec<&EventFacts> = events
        .iter()
        .filter(|e| {
            e.biz_step == "commissioning"
                && e.action == "ADD"
                && e.epcs.iter().any(|(x, r)| *x == epc && *r == Role::Epc)
        })
        .collect();
    let Some(first) = commissioning.first() else {
        return Ok(not_verified(
            &epc,
            "No commissioning record for this GTIN and serial number: the product identifier is unknown.".into(),
            Vec::new(),
        ));
    };
    if let Some(lot) = &request.lot
        && let Some(recorded) = &first.lot
        && recorded.trim() != lot.trim()
    {
        return Ok(not_verified(
            &epc,
            format!("The lot on record is `{recorded}`, not `{lot}`."),
            vec![first.hash.clone()],
        ));
    }
    if let Some(expiry) = &request.expiry {
        let Some(asked) = expiry_days(expiry) else {
            return Err(TraceError::invalid(
                crate::Location {
                    field: Some("expiry".into()),
                    ..Default::default()
                },
                format!("`{expiry}` is not an expiry date `YYMMDD` or `YYYY-MM-DD`"),
            )
            .into());
        };
        if let Some(recorded) = first.expiry_days
            && recorded != asked
        {
            return Ok(not_verified(
                &epc,
                format!(
                    "The expiry on record is {}, not {}.",
                    first.expiry.as_deref().unwrap_or_default(),
                    &crate::time::format_millis(asked * 86_400_000)[..10]
                ),
                vec![first.hash.clone()],
            ));
        }
    }
    let mut checker = Checker::new();
    for event in &events {
        checker.observe(event);
    }
    let findings: Vec<_> = checker
        .finish()
        .into_iter()
        .filter(|f| f.epc == epc && f.severity == Severity::Error)
        .collect();
    if let Some(finding) = findings
        .iter()
        .find(|f| f.rule == RuleId::DuplicateCommission)
        .or_else(|| findings.first())
    {
        return Ok(not_verified(
            &epc,
            format!(
                "Suspect product ({}): {}",
                finding.rule.as_str(),
                finding.message
            ),
            finding.events.clone(),
        ));
    }
    let latest = events
        .iter()
        .rev()
        .find(|e| e.epcs.iter().any(|(x, _)| *x == epc));
    if let Some(last) = latest
        && (matches!(
            last.biz_step.as_str(),
            "decommissioning" | "destroying" | "dispensing"
        ) || matches!(
            last.disposition.as_str(),
            "destroyed" | "dispensed" | "disposed" | "recalled"
        ))
    {
        return Ok(not_verified(
            &epc,
            format!(
                "The product is no longer saleable: its last event is `{}` with disposition `{}`.",
                last.biz_step, last.disposition
            ),
            vec![last.hash.clone()],
        ));
    }
    Ok(Verification {
        verdict: Verdict::Verified,
        reason: format!(
            "Commissioned{} and nothing on record contradicts it.",
            first
                .lot
                .as_deref()
                .map(|l| format!(" in lot `{l}`"))
                .unwrap_or_default()
        ),
        epc,
        events: vec![first.hash.clone()],
    })
}
