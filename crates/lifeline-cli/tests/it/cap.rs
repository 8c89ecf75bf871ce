//! `lifeline cap`: the CAP 1.2 spec examples and an EDXL-DE distribution validate; the
//! negative fixture and a broken alert exit 2 naming the element; `cap write` writes CAP
//! that `cap validate` (and so the CAP 1.2 schema) accepts, for every `--msg-type`.

use crate::{check, temp};

const DATA: &str = "crates/lifeline-cap/tests/data";

#[test]
fn the_spec_examples_and_an_edxl_distribution_validate() {
    let files: Vec<String> = (1..=4)
        .map(|n| format!("{DATA}/cap/oasis-spec/v1dot2_appendix_adot{n}.xml"))
        .chain([format!("{DATA}/edxl/bushfire_valid.edxlde")])
        .collect();
    let mut args = vec!["cap", "validate"];
    args.extend(files.iter().map(String::as_str));
    let (out, _) = check(&args, 0);
    assert!(
        out.contains("valid CAP 1.2 alert `KSTO1055887203` from `KSTO@NWS.NOAA.GOV`: Actual Alert, 1 info block(s)"),
        "{out}"
    );
    assert!(out.contains("valid EDXL-DE 1.0 distribution `RFSuniqueID12345` with 7 CAP 1.2 alert(s)"), "{out}");
    assert_eq!(out.lines().count(), 5, "{out}");
}

#[test]
fn invalid_alerts_exit_2_naming_the_element() {
    let negative = format!("{DATA}/cap/negative/invalid.cap");
    let (_, err) = check(&["cap", "validate", &negative], 2);
    assert!(
        err.contains("invalid.cap: error: alert/scope: missing: CAP 1.2 requires `scope` in `alert`"),
        "{err}"
    );

    let broken = temp("broken-urgency.xml");
    let spec = std::fs::read_to_string(
        crate::repo().join(format!("{DATA}/cap/oasis-spec/v1dot2_appendix_adot2.xml")),
    )
    .expect("A.2");
    std::fs::write(
        &broken,
        spec.replace("<urgency>Immediate</urgency>", "<urgency>Now\u{1b}[2J</urgency>"),
    )
    .expect("write");
    let (_, err) = check(&["cap", "validate", broken.to_str().expect("utf-8")], 2);
    let _ = std::fs::remove_file(&broken);
    assert!(err.contains("error: alert/info[1]/urgency: `Now\\u{1b}[2J` is not a CAP 1.2 urgency"), "{err}");
    assert!(!err.contains('\u{1b}'), "the escape reached the terminal: {err}");
}

#[test]
fn written_cap_validates_for_every_message_type() {
    let alert = format!("{DATA}/lifeline/alert.json");
    for msg_type in [None, Some("update"), Some("cancel"), Some("ack")] {
        let out_file = temp(&format!("written-{}.xml", msg_type.unwrap_or("alert")));
        let out_path = out_file.to_str().expect("utf-8").to_owned();
        let mut args = vec!["cap", "write", &alert, "--sender-name", "MedSupply", "--output", &out_path];
        if let Some(msg_type) = msg_type {
            args.extend(["--msg-type", msg_type]);
        }
        check(&args, 0);
        let (out, _) = check(&["cap", "validate", &out_path], 0);
        let expected = match msg_type {
            None => "Actual Alert, 1 info block(s)",
            Some("update") => "Actual Update, 1 info block(s)",
            Some("cancel") => "Actual Cancel, 1 info block(s)",
            _ => "Actual Ack, 0 info block(s)",
        };
        assert!(out.contains(expected), "{msg_type:?}: {out}");
        let _ = std::fs::remove_file(&out_file);
    }
    // To stdout, and wrapped in EDXL-DE.
    let (xml, _) = check(&["cap", "write", &alert], 0);
    assert!(xml.contains("<severity>Extreme</severity>"), "{xml}");
    assert!(xml.contains("<scope>Private</scope>"), "{xml}");
    let edxl = temp("written.edxlde");
    let edxl_path = edxl.to_str().expect("utf-8").to_owned();
    check(&["cap", "write", &alert, "--edxl", "-o", &edxl_path], 0);
    let (out, _) = check(&["cap", "validate", &edxl_path], 0);
    let _ = std::fs::remove_file(&edxl);
    assert!(out.contains("with 1 CAP 1.2 alert(s)"), "{out}");
}

#[test]
fn a_bad_payload_exits_2_naming_the_field() {
    let payload = temp("bad-alert.json");
    let good = std::fs::read_to_string(crate::repo().join(format!("{DATA}/lifeline/alert.json")))
        .expect("alert");
    std::fs::write(&payload, good.replace("\"tlp\": \"amber\"", "\"tlp\": \"purple\"")).expect("write");
    let (_, err) = check(&["cap", "write", payload.to_str().expect("utf-8")], 2);
    assert!(err.contains("error: tlp: unknown variant `purple`"), "{err}");
    std::fs::write(&payload, good.replace("\"id\": \"A-2026-0042-stmarys\"", "\"id\": \"A 42\"")).expect("write");
    let (_, err) = check(&["cap", "write", payload.to_str().expect("utf-8")], 2);
    let _ = std::fs::remove_file(&payload);
    assert!(err.contains("cannot be the CAP `identifier`"), "{err}");
}
