//! Each chain-of-custody rule, positive and negative, on the GS1 US DSCSA example
//! (manufacturer → wholesaler, EPCIS 1.2) with one fact changed.

use lifeline_trace::facts::facts_of;
use lifeline_trace::read_all;
use lifeline_trace::rules::{Finding, Severity, check};

use crate::read_data;

fn dscsa() -> String {
    String::from_utf8(read_data("dscsa/GS1_US_Pharma_Example_2_2_1_1.xml")).expect("UTF-8")
}

/// Replaces exactly one occurrence of `from` after the first occurrence of `anchor`.
fn change(document: &str, anchor: &str, from: &str, to: &str) -> String {
    let start = document
        .find(anchor)
        .unwrap_or_else(|| panic!("anchor `{anchor}`"));
    let offset = document[start..]
        .find(from)
        .unwrap_or_else(|| panic!("`{from}` after `{anchor}`"));
    let at = start + offset;
    format!("{}{}{}", &document[..at], to, &document[at + from.len()..])
}

fn findings(document: &str) -> Vec<Finding> {
    let (header, events) = read_all(document.as_bytes()).expect("read");
    check(&facts_of(&header, &events))
}

/// (rule, severity, EPC serial part) of every finding.
fn summary(document: &str) -> Vec<(String, Severity, String)> {
    findings(document)
        .into_iter()
        .map(|f| {
            let tail = f.epc.rsplit('/').next().unwrap_or_default().to_owned();
            (f.rule.as_str().to_owned(), f.severity, tail)
        })
        .collect()
}

fn rules_of(document: &str) -> Vec<String> {
    let mut rules: Vec<String> = summary(document).into_iter().map(|(r, _, _)| r).collect();
    rules.dedup();
    rules
}

#[test]
fn the_published_example_is_clean() {
    assert_eq!(summary(&dscsa()), []);
}

#[test]
fn not_commissioned_before_and_without() {
    // The pallet commissioned an hour after it was packed: before.
    let late = change(
        &dscsa(),
        "<!-- E6",
        "2023-04-01T06:47:16Z",
        "2023-04-01T06:59:16Z",
    );
    assert_eq!(
        summary(&late),
        [(
            "not-commissioned".into(),
            Severity::Error,
            "403000112345678901".into()
        )]
    );
    // The pallet never commissioned (the event is an inspection instead): without.
    let never = change(
        &dscsa(),
        "<!-- E6",
        "bizstep:commissioning",
        "bizstep:inspecting",
    );
    assert_eq!(
        summary(&never),
        [(
            "not-commissioned".into(),
            Severity::Warning,
            "403000112345678901".into()
        )]
    );
}

#[test]
fn duplicate_commission_is_a_clone() {
    // Case 121 is commissioned with the serial of item 22 instead.
    let clone = change(
        &dscsa(),
        "<!-- E2",
        "030001.1012345.121",
        "030001.0012345.22",
    );
    let found = summary(&clone);
    assert!(
        found.contains(&("duplicate-commission".into(), Severity::Error, "22".into())),
        "{found:?}"
    );
    assert!(!rules_of(&dscsa()).contains(&"duplicate-commission".to_owned()));
}

#[test]
fn activity_after_destruction() {
    // Case 110 is packed by a destroying step: its four items are destroyed, then shipped
    // inside the pallet.
    let destroyed = change(&dscsa(), "<!-- E3", "bizstep:packing", "bizstep:destroying");
    let found = summary(&destroyed);
    let items: Vec<&str> = found
        .iter()
        .filter(|(r, _, _)| r == "after-decommission")
        .map(|(_, _, e)| e.as_str())
        .collect();
    // The case itself was in the destroying event too.
    assert_eq!(items, ["11", "12", "13", "14", "110"], "{found:?}");
}

#[test]
fn recalled_product_shipped() {
    let recalled = change(&dscsa(), "<!-- E7", "disp:in_progress", "disp:recalled");
    let found = summary(&recalled);
    let epcs: Vec<&str> = found
        .iter()
        .filter(|(r, _, _)| r == "recalled-shipped")
        .map(|(_, _, e)| e.as_str())
        .collect();
    assert_eq!(
        epcs,
        ["403000112345678901", "110", "111", "121"],
        "{found:?}"
    );
    // Shipped back to the commissioning site, a recalled product is a return, not a finding.
    let returned = change(
        &recalled,
        "<!-- E8",
        "sgln:039999.345678.0",
        "sgln:030001.111121.0",
    );
    assert!(
        !rules_of(&returned).contains(&"recalled-shipped".to_owned()),
        "{:?}",
        summary(&returned)
    );
}

#[test]
fn expired_product_shipped() {
    let expired = change(&dscsa(), "<!-- E1", "2025-03-27", "2023-03-31");
    let found = summary(&expired);
    let items: Vec<&str> = found
        .iter()
        .filter(|(r, _, _)| r == "expired-shipped")
        .map(|(_, _, e)| e.as_str())
        .collect();
    assert_eq!(items.len(), 12, "{found:?}");
    // Shipping on the expiry date itself is allowed.
    let last_day = change(&dscsa(), "<!-- E1", "2025-03-27", "2023-04-01");
    assert_eq!(summary(&last_day), []);
}

#[test]
fn custody_break_when_shipped_by_a_stranger() {
    let mut stranger = dscsa();
    for from in [
        "sgln:030001.111111.0</source>",
        "sgln:030001.111121.0</source>",
    ] {
        let to = from.replace("030001", "031234");
        stranger = change(&stranger, "<!-- E8", from, &to);
    }
    stranger = change(
        &stranger,
        "<!-- E8",
        "<id>urn:epc:id:sgln:030001.111121.0",
        "<id>urn:epc:id:sgln:031234.111121.0",
    );
    let found = summary(&stranger);
    assert!(
        found.contains(&(
            "custody-break".into(),
            Severity::Error,
            "403000112345678901".into()
        )),
        "{found:?}"
    );
}

fn with_receipt(document: &str, at: &str) -> String {
    let receipt = format!(
        "<ObjectEvent><eventTime>2023-04-02T09:00:00Z</eventTime><eventTimeZoneOffset>-05:00</eventTimeZoneOffset>\
         <epcList><epc>urn:epc:id:sscc:030001.41234567890</epc></epcList><action>OBSERVE</action>\
         <bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep><disposition>urn:epcglobal:cbv:disp:in_progress</disposition>\
         <readPoint><id>urn:epc:id:sgln:{at}</id></readPoint><bizLocation><id>urn:epc:id:sgln:{at}</id></bizLocation></ObjectEvent>\n</EventList>"
    );
    document.replacen("</EventList>", &receipt, 1)
}

#[test]
fn custody_break_when_received_elsewhere() {
    assert_eq!(summary(&with_receipt(&dscsa(), "039999.345678.0")), []);
    let found = summary(&with_receipt(&dscsa(), "031111.000001.0"));
    assert_eq!(
        found,
        [(
            "custody-break".into(),
            Severity::Error,
            "403000112345678901".into()
        )],
    );
}

#[test]
fn aggregation_conflict_when_packed_twice() {
    // Item 14, already in case 110, is packed into case 111 as well.
    let twice = change(
        &dscsa(),
        "<!-- E4",
        "030001.0012345.15",
        "030001.0012345.14",
    );
    let found = summary(&twice);
    assert!(
        found.contains(&("aggregation-conflict".into(), Severity::Error, "14".into())),
        "{found:?}"
    );
}

#[test]
fn aggregation_conflict_when_shipped_alone() {
    // The shipment lists case 110 instead of the pallet that holds it.
    let alone = change(
        &dscsa(),
        "<!-- E8",
        "sscc:030001.41234567890",
        "sgtin:030001.1012345.110",
    );
    assert_eq!(
        summary(&alone),
        [("aggregation-conflict".into(), Severity::Error, "110".into())]
    );
}

#[test]
fn hash_mismatch_when_content_changed_after_hashing() {
    let original = dscsa();
    let (header, events) = read_all(original.as_bytes()).expect("read");
    let facts = facts_of(&header, &events);
    let shipping = &facts[7].hash;
    let declared = change(
        &original,
        "<!-- E8",
        "<eventTime>",
        &format!("<eventID>{shipping}</eventID><eventTime>"),
    );
    assert_eq!(
        summary(&declared),
        [],
        "the declared ID matches the content"
    );
    let altered = change(&declared, "<!-- E8", "XYZPO189", "XYZPO190");
    assert_eq!(
        summary(&altered),
        [(
            "hash-mismatch".into(),
            Severity::Error,
            "403000112345678901".into()
        )]
    );
}

/// `check_records`, over the facts as `prepare_document` gives them in storage order, finds
/// what the repository's check finds, in the same order: the server checks events it keeps
/// in its own database with it, and must answer as `lifeline trace check` does.
#[test]
fn check_records_matches_the_repository_check() {
    use std::ops::ControlFlow;

    use lifeline_trace::read::ReadLimits;
    use lifeline_trace::repository::{Repository, check_records, prepare_document};

    let documents = [
        dscsa(),
        change(&dscsa(), "<!-- E3", "bizstep:packing", "bizstep:destroying"),
        change(&dscsa(), "<!-- E7", "disp:in_progress", "disp:recalled"),
        change(
            &dscsa(),
            "<!-- E2",
            "030001.1012345.121",
            "030001.0012345.22",
        ),
        change(&dscsa(), "<!-- E1", "2025-03-27", "2023-03-31"),
    ];
    let mut any = false;
    for document in &documents {
        let mut repository = Repository::in_memory().expect("repository");
        repository
            .ingest(document.as_bytes(), "document")
            .expect("ingest");
        let mut expected = Vec::new();
        repository
            .check_each(&mut |finding| {
                expected.push(finding);
                ControlFlow::Continue(())
            })
            .expect("check");
        let (_, prepared) =
            prepare_document(document.as_bytes(), &ReadLimits::default()).expect("prepare");
        let records: Vec<_> = prepared.into_iter().map(|p| (p.facts, false)).collect();
        let found = check_records(&records).expect("check records");
        assert_eq!(found, expected);
        any |= !found.is_empty();
    }
    assert!(any, "some document has findings");
}
