//! VEX: the CISA use-case documents give the statuses they state, and applied to a scan
//! they suppress, resolve or keep findings as CycloneDX says.

use lifeline_vuln::read_sbom;
use lifeline_vuln::scan::{Sources, Status, scan};
use lifeline_vuln::vex::{VexState, read_vex};

use crate::advisories::{index, kev};
use crate::bytes;

#[test]
fn cisa_use_case_documents_state_their_statuses() {
    for (file, state, justification) in [
        (
            "Case-1/vex-not_affected.json",
            VexState::NotAffected,
            Some("code_not_present"),
        ),
        ("Case-1/vex-affected.json", VexState::Exploitable, None),
        ("Case-1/vex-fixed.json", VexState::Resolved, None),
        (
            "Case-1/vex-under_investigation.json",
            VexState::InTriage,
            None,
        ),
    ] {
        let statements = read_vex(&bytes(&format!("bom-examples/VEX/CISA-Use-Cases/{file}")))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(statements.len(), 1, "{file}");
        assert_eq!(statements[0].id, "CVE-2021-44228");
        assert_eq!(statements[0].state, state, "{file}");
        assert_eq!(
            statements[0].justification.as_deref(),
            justification,
            "{file}"
        );
    }
    let case2 = read_vex(&bytes("bom-examples/VEX/CISA-Use-Cases/Case-2/vex.json")).expect("valid");
    assert_eq!(case2.len(), 19);
    assert!(case2.iter().all(|s| s.state == VexState::NotAffected
        && s.justification.as_deref() == Some("code_not_reachable")
        && s.affects == ["product-ABC"]));
    assert!(case2.iter().any(|s| s.id == "CVE-2020-11899"));
}

/// Scans the product SBOM (whose product bom-ref is `product-ABC`) with one CISA VEX
/// rewritten to name product ABC, and returns the Log4Shell finding's status and VEX state.
fn log4shell_with(file: &str) -> (Status, Option<VexState>, Option<&'static str>) {
    let text = String::from_utf8(bytes(&format!("bom-examples/VEX/CISA-Use-Cases/{file}")))
        .expect("utf-8")
        .replace("product-DEF", "product-ABC")
        .replace("product-GHI", "product-ABC");
    let statements = read_vex(text.as_bytes()).expect("valid");
    let index = index();
    let kev = kev();
    let sbom = read_sbom(&bytes("scan/product-abc.cdx.json"))
        .expect("valid")
        .sbom;
    let report = scan(
        &sbom,
        "x",
        Sources {
            advisories: &index,
            kev: Some(&kev),
            vex: &statements,
        },
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.id == "CVE-2021-44228")
        .expect("Log4Shell");
    (
        finding.status,
        finding.vex.as_ref().map(|v| v.status),
        finding.vex.as_ref().map(|v| v.scope),
    )
}

#[test]
fn cisa_use_cases_applied_to_a_scan() {
    assert_eq!(
        log4shell_with("Case-1/vex-not_affected.json"),
        (
            Status::Suppressed,
            Some(VexState::NotAffected),
            Some("product")
        )
    );
    assert_eq!(
        log4shell_with("Case-1/vex-affected.json"),
        (Status::Open, Some(VexState::Exploitable), Some("product"))
    );
    assert_eq!(
        log4shell_with("Case-1/vex-fixed.json"),
        (Status::Resolved, Some(VexState::Resolved), Some("product"))
    );
    assert_eq!(
        log4shell_with("Case-1/vex-under_investigation.json"),
        (Status::Open, Some(VexState::InTriage), Some("product"))
    );
}

#[test]
fn suppressed_findings_keep_their_reason_and_sort_last() {
    let statements = read_vex(&bytes(
        "bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json",
    ))
    .expect("valid");
    let index = index();
    let kev = kev();
    let text = String::from_utf8(bytes("scan/product-abc.cdx.json"))
        .expect("utf-8")
        .replace("\"product-ABC\"", "\"product-XYZ\"");
    let sbom = read_sbom(text.as_bytes()).expect("valid").sbom;
    // The VEX names product-ABC; this SBOM's product is XYZ: nothing is suppressed.
    let report = scan(
        &sbom,
        "x",
        Sources {
            advisories: &index,
            kev: Some(&kev),
            vex: &statements,
        },
    );
    assert_eq!(report.summary.suppressed, 0);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("VEX CVE-2021-44228 (not_affected)"))
    );
    // Named by the component's own bom-ref, it is suppressed and sorted last.
    let text = String::from_utf8(bytes(
        "bom-examples/VEX/CISA-Use-Cases/Case-1/vex-not_affected.json",
    ))
    .expect("utf-8")
    .replace("\"product-ABC\"", "\"log4j-core\"");
    let statements = read_vex(text.as_bytes()).expect("valid");
    let report = scan(
        &sbom,
        "x",
        Sources {
            advisories: &index,
            kev: Some(&kev),
            vex: &statements,
        },
    );
    let last = report.findings.last().expect("findings");
    assert_eq!(last.id, "CVE-2021-44228");
    assert_eq!(last.status, Status::Suppressed);
    let vex = last.vex.as_ref().expect("vex");
    assert_eq!(
        (vex.justification.as_deref(), vex.scope),
        (Some("code_not_present"), "component")
    );
    assert!(
        vex.detail
            .as_deref()
            .unwrap_or_default()
            .contains("Class with vulnerable code was removed")
    );
}

#[test]
fn bom_link_references_name_components() {
    let statements = read_vex(&bytes("bom-examples/VEX/vex.json")).expect("valid");
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0].state, VexState::NotAffected);
    // The example's BOM-Link names serial 3e671687-...; the example BOM's own serial is
    // 5f0f0da9-...: a link to another BOM names nothing here.
    let reach = |text: &str| {
        let sbom = read_sbom(text.as_bytes()).expect("valid").sbom;
        let component = sbom
            .components
            .iter()
            .find(|c| c.name == "jackson-databind")
            .expect("jackson-databind");
        lifeline_vuln::vex::reach(&statements[0], component, &sbom)
    };
    let text = String::from_utf8(bytes("bom-examples/VEX/bom.json")).expect("utf-8");
    assert_eq!(reach(&text), None);
    let relinked = text.replace(
        "5f0f0da9-c03d-47d8-b38d-009e6df67094",
        "3e671687-395b-41f5-a30f-a58921a69b79",
    );
    assert_eq!(reach(&relinked), Some(lifeline_vuln::vex::Reach::Component));
}
