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
    assert!(
        out.contains("valid EDXL-DE 1.0 distribution `RFSuniqueID12345` with 7 CAP 1.2 alert(s)"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 5, "{out}");
}

#[test]
fn invalid_alerts_exit_2_naming_the_element() {
    let negative = format!("{DATA}/cap/negative/invalid.cap");
    let (_, err) = check(&["cap", "validate", &negative], 2);
    assert!(
        err.contains(
            "invalid.cap: error: alert/scope: missing: CAP 1.2 requires `scope` in `alert`"
        ),
        "{err}"
    );

    let broken = temp("broken-urgency.xml");
    let spec = std::fs::read_to_string(
        crate::repo().join(format!("{DATA}/cap/oasis-spec/v1dot2_appendix_adot2.xml")),
    )
    .expect("A.2");
    std::fs::write(
        &broken,
        spec.replace(
            "<urgency>Immediate</urgency>",
            "<urgency>Now\u{1b}[2J</urgency>",
        ),
    )
    .expect("write");
    let (_, err) = check(&["cap", "validate", broken.to_str().expect("utf-8")], 2);
    let _ = std::fs::remove_file(&broken);
    assert!(
        err.contains("error: alert/info[1]/urgency: `Now\\u{1b}[2J` is not a CAP 1.2 urgency"),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "the escape reached the terminal: {err}"
    );
}

#[test]
fn written_cap_validates_for_every_message_type() {
    let alert = format!("{DATA}/lifeline/alert.json");
    for msg_type in [None, Some("update"), Some("cancel"), Some("ack")] {
        let out_file = temp(&format!("written-{}.xml", msg_type.unwrap_or("alert")));
        let out_path = out_file.to_str().expect("utf-8").to_owned();
        let mut args = vec![
            "cap",
            "write",
            &alert,
            "--sender-name",
            "MedSupply",
            "--output",
            &out_path,
        ];
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
    std::fs::write(
        &payload,
        good.replace("\"tlp\": \"amber\"", "\"tlp\": \"purple\""),
    )
    .expect("write");
    let (_, err) = check(&["cap", "write", payload.to_str().expect("utf-8")], 2);
    assert!(
        err.contains("error: tlp: unknown variant `purple`"),
        "{err}"
    );
    std::fs::write(
        &payload,
        good.replace("\"id\": \"A-2026-0042-stmarys\"", "\"id\": \"A 42\""),
    )
    .expect("write");
    let (_, err) = check(&["cap", "write", payload.to_str().expect("utf-8")], 2);
    let _ = std::fs::remove_file(&payload);
    assert!(err.contains("cannot be the CAP `identifier`"), "{err}");
}

mod signed {
    use lifeline_share::Tlp;
    use lifeline_share::alert::Alert;
    use lifeline_share::directory::{
        Channel, Contact, ContactRole, Defaults, Directory, FORMAT, OrgKind, Organisation,
    };
    use lifeline_share::keys::KeyPair;
    use time::macros::datetime;

    use crate::{check, temp};

    fn org(id: &str, kind: OrgKind, key: Option<&KeyPair>) -> Organisation {
        Organisation {
            id: id.into(),
            name: format!("{id} org"),
            kind,
            tier: 1,
            entities: vec![],
            vendors: vec![],
            clearance: Tlp::Amber,
            ack_window: None,
            contacts: vec![Contact {
                id: "duty".into(),
                name: "Duty desk".into(),
                role: ContactRole::Duty,
                escalation: 1,
                ack_window: None,
                channels: vec![Channel::Email(format!("duty@{id}.example.org"))],
            }],
            keys: key
                .map(|key| vec![key.public(datetime!(2026-11-01 00:00 UTC))])
                .unwrap_or_default(),
        }
    }

    #[test]
    fn a_signed_alert_is_verified_before_it_is_written_and_a_tampered_one_is_refused() {
        let key = KeyPair::from_seed("medsupply", "k1", [5; 32]).expect("key");
        let directory = Directory {
            format: FORMAT.into(),
            organisation: "stmarys".into(),
            defaults: Defaults::default(),
            organisations: vec![
                org("medsupply", OrgKind::Distributor, Some(&key)),
                org("stmarys", OrgKind::Hospital, None),
            ],
        };
        let directory_file = temp("cap-directory.json");
        std::fs::write(
            &directory_file,
            lifeline_share::directory::to_json(&directory).expect("json"),
        )
        .expect("write");
        let alert: Alert = serde_json::from_str(
            &std::fs::read_to_string(
                crate::repo().join(format!("{}/lifeline/alert.json", super::DATA)),
            )
            .expect("alert"),
        )
        .expect("an alert");
        let token = lifeline_share::jws::sign_alert(&alert, &key).expect("signed");
        let token_file = temp("cap-alert.jws");
        std::fs::write(&token_file, &token).expect("write");
        let directory_path = directory_file.to_str().expect("utf-8");
        let token_path = token_file.to_str().expect("utf-8");
        let at = "2026-12-06T09:00:00Z";

        let (xml, _) = check(
            &[
                "cap",
                "write",
                token_path,
                "--directory",
                directory_path,
                "--at",
                at,
            ],
            0,
        );
        assert!(
            xml.contains("<identifier>A-2026-0042-stmarys</identifier>"),
            "{xml}"
        );

        // Without the directory there is nothing to verify with.
        let (_, err) = check(&["cap", "write", token_path], 2);
        assert!(err.contains("needs `--directory FILE`"), "{err}");

        // One flipped byte of the signature.
        let mut bytes = token.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        std::fs::write(&token_file, &bytes).expect("write");
        let (out, err) = check(
            &[
                "cap",
                "write",
                token_path,
                "--directory",
                directory_path,
                "--at",
                at,
            ],
            2,
        );
        assert!(out.is_empty(), "{out}");
        assert!(err.contains("not verified (tampered)"), "{err}");
        let _ = std::fs::remove_file(&token_file);
        let _ = std::fs::remove_file(&directory_file);
    }
}
