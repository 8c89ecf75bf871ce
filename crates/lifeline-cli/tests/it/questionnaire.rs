//! `lifeline questionnaire export` and `import`: blank forms in every format, a filled one
//! with every problem reported (exit 2), and (once the register reader is merged) the
//! answers merged into a vendor register.

use crate::{check, temp};

#[test]
fn export_every_framework_in_every_format() {
    for (framework, questions, first) in [
        ("csf2", 10, "GV.SC-01"),
        ("hicp", 10, "HICP-1"),
        ("controls", 9, "ctl-mfa"),
    ] {
        let (yaml, _) = check(&["questionnaire", "export", "--framework", framework], 0);
        assert!(yaml.starts_with("# "), "{yaml}");
        assert!(
            yaml.contains(&format!("framework: \"{framework}\"\n")),
            "{yaml}"
        );
        assert_eq!(
            yaml.matches("\n  - question: ").count(),
            questions,
            "{yaml}"
        );
        assert!(yaml.contains(&format!("  - question: \"{first}\"\n")));

        let (json, _) = check(
            &[
                "questionnaire",
                "export",
                "--framework",
                framework,
                "--format",
                "json",
            ],
            0,
        );
        let document: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(document["format"], "lifeline-questionnaire/1");
        assert_eq!(document["framework"], framework);
        let answers = document["answers"].as_array().expect("answers");
        assert_eq!(answers.len(), questions);
        assert_eq!(answers[0]["question"], first);
        assert!(answers[0]["answer"].is_null());
        assert!(document.get("vendor").is_none());

        let (csv, _) = check(
            &[
                "questionnaire",
                "export",
                "--framework",
                framework,
                "--format",
                "csv",
            ],
            0,
        );
        let mut lines = csv.lines();
        let header = lines.next().expect("a header");
        assert!(
            header.starts_with("vendor,vendor_name,framework,question,group,text,guidance,answer,evidence_kind,evidence_issued,evidence_expires,evidence_reference,comment"),
            "{header}"
        );
        // The controls questionnaire asks for the controls' measurements too.
        assert_eq!(
            header.ends_with(
                ",restore_hours,last_tested,completion,phishing_click_rate,critical_patch_days"
            ),
            framework == "controls",
            "{header}"
        );
        assert_eq!(lines.count(), questions, "{csv}");
        assert!(csv.contains(&format!(",,{framework},{first},")), "{csv}");
    }
}

#[test]
fn export_csf_categories_and_to_a_file() {
    let count = |args: &[&str]| {
        let mut all = vec![
            "questionnaire",
            "export",
            "--framework",
            "csf2",
            "--format",
            "json",
        ];
        all.extend(args);
        let (json, _) = check(&all, 0);
        let document: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        document["answers"].as_array().expect("answers").len()
    };
    assert_eq!(count(&["--category", "PR.AA", "--category", "GV.SC"]), 16);
    assert_eq!(count(&["--category", "all"]), 106);

    let (_, err) = check(
        &[
            "questionnaire",
            "export",
            "--framework",
            "csf2",
            "--category",
            "GV.SX",
        ],
        2,
    );
    assert!(
        err.contains("`GV.SX` is not a NIST CSF 2.0 category (did you mean `GV.SC`?)"),
        "{err}"
    );
    let (_, err) = check(
        &[
            "questionnaire",
            "export",
            "--framework",
            "hicp",
            "--category",
            "GV.SC",
        ],
        2,
    );
    assert!(err.contains("use it with --framework csf2"), "{err}");
    // A vendor needs the register that holds it.
    let (_, err) = check(
        &[
            "questionnaire",
            "export",
            "--framework",
            "hicp",
            "--vendor",
            "acme",
        ],
        2,
    );
    assert!(err.contains("--vendors"), "{err}");

    let output = temp("questionnaire-hicp.csv");
    let output_arg = output.to_string_lossy().into_owned();
    let (out, _) = check(
        &[
            "questionnaire",
            "export",
            "--framework",
            "hicp",
            "--format",
            "csv",
            "-o",
            &output_arg,
        ],
        0,
    );
    assert!(out.is_empty());
    let written = std::fs::read_to_string(&output).expect("the questionnaire");
    assert_eq!(written.lines().count(), 11);
    let _ = std::fs::remove_file(output);
}

#[test]
fn import_reports_every_problem_of_the_filled_file() {
    let filled = temp("filled-controls.csv");
    std::fs::write(
        &filled,
        "framework,vendor,question,answer,evidence_kind,evidence_expires\n\
         controls,acme-edi,ctl-mfa,yes,soc2-type2,31/12/2027\n\
         controls,acme-edi,ctl-firewall,no,,\n\
         controls,acme-edi,ctl-offline-backups,sometimes,,\n",
    )
    .expect("write");
    let filled_arg = filled.to_string_lossy().into_owned();
    // The filled file is read first: its problems are reported whatever the register.
    let (out, err) = check(
        &[
            "questionnaire",
            "import",
            &filled_arg,
            "--vendors",
            "no/such/vendors.json",
        ],
        2,
    );
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("is not a valid filled questionnaire (3 error(s))"),
        "{err}"
    );
    assert!(
        err.contains(
            "row 2 (ctl-mfa).evidence_expires: expected a date as YYYY-MM-DD, found `31/12/2027`"
        ),
        "{err}"
    );
    assert!(
        err.contains("row 3 (ctl-firewall).question: `ctl-firewall` is not a question of the controls questionnaire"),
        "{err}"
    );
    assert!(
        err.contains("row 4 (ctl-offline-backups).answer: expected `yes`, `partial`, `no` or `na`, found `sometimes`"),
        "{err}"
    );

    // A file that names no vendor needs --vendor.
    std::fs::write(&filled, "framework,question,answer\nhicp,HICP-1,yes\n").expect("write");
    let (_, err) = check(
        &[
            "questionnaire",
            "import",
            &filled_arg,
            "--vendors",
            "no/such/vendors.json",
        ],
        2,
    );
    assert!(err.contains("does not say which vendor answered"), "{err}");
    assert!(
        err.contains("hint: name the vendor with --vendor ID"),
        "{err}"
    );
    let _ = std::fs::remove_file(filled);
}

/// A register of two vendors, one with an earlier answer and a control measurement.
const REGISTER: &str = r#"{
  "format": "lifeline-vendors/1",
  "as_of": "2026-12-01",
  "vendors": [
    {"id": "acme-edi", "name": "Acme EDI", "kind": "software",
     "controls": {"offline_backups": {"in_place": false, "restore_hours": 36}},
     "answers": [{"question": "ctl-mfa", "answer": "no", "comment": "rolling out"}]},
    {"id": "bolt-logistics", "name": "Bolt Logistics", "kind": "logistics"}
  ]
}
"#;

#[test]
fn export_for_a_vendor_then_import_its_answers() {
    let vendors = temp("questionnaire-vendors.json");
    std::fs::write(&vendors, REGISTER).expect("write");
    let vendors_arg = vendors.to_string_lossy().into_owned();
    let (blank, _) = check(
        &[
            "questionnaire",
            "export",
            "--framework",
            "controls",
            "--format",
            "csv",
            "--vendor",
            "acme-edi",
            "--vendors",
            &vendors_arg,
        ],
        0,
    );
    assert!(
        blank.contains("\nacme-edi,Acme EDI,controls,ctl-mfa,"),
        "{blank}"
    );
    let (_, err) = check(
        &[
            "questionnaire",
            "export",
            "--framework",
            "controls",
            "--vendor",
            "acme-ed",
            "--vendors",
            &vendors_arg,
        ],
        2,
    );
    assert!(err.contains("did you mean `acme-edi`?"), "{err}");

    // The vendor answers two questions of the CSV form: a script fills the answer column
    // (and the evidence of one).
    let mut reader = csv::Reader::from_reader(blank.as_bytes());
    let headers = reader.headers().expect("a header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect("the column");
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).expect("write CSV");
    for record in reader.records() {
        let mut cells: Vec<String> = record.expect("a row").iter().map(str::to_owned).collect();
        match cells[column("question")].as_str() {
            "ctl-mfa" => {
                cells[column("answer")] = "yes".to_owned();
                cells[column("evidence_kind")] = "soc2-type2".to_owned();
                cells[column("evidence_expires")] = "2027-06-30".to_owned();
            }
            "ctl-offline-backups" => cells[column("answer")] = "yes".to_owned(),
            _ => {}
        }
        writer.write_record(&cells).expect("write CSV");
    }
    let filled = String::from_utf8(writer.into_inner().expect("CSV")).expect("UTF-8");
    let filled_path = temp("questionnaire-acme.csv");
    std::fs::write(&filled_path, filled).expect("write");
    let filled_arg = filled_path.to_string_lossy().into_owned();
    let (out, err) = check(
        &[
            "questionnaire",
            "import",
            &filled_arg,
            "--vendors",
            &vendors_arg,
        ],
        0,
    );
    assert!(
        err.contains(
            "merged the controls answers of `acme-edi`: 1 new, 1 replaced, 2 control(s) set"
        ),
        "{err}"
    );
    let register: serde_json::Value = serde_json::from_str(&out).expect("JSON register");
    let acme = &register["vendors"][0];
    assert_eq!(acme["answers"][0]["question"], "ctl-mfa");
    assert_eq!(acme["answers"][0]["answer"], "yes");
    assert_eq!(acme["answers"][1]["question"], "ctl-offline-backups");
    assert_eq!(acme["controls"]["mfa"]["in_place"], true);
    assert_eq!(
        acme["controls"]["mfa"]["evidence"][0]["expires"],
        "2027-06-30"
    );
    assert_eq!(acme["controls"]["offline_backups"]["in_place"], true);
    assert_eq!(acme["controls"]["offline_backups"]["restore_hours"], 36.0);
    // The register written reads back as a register.
    let merged = temp("questionnaire-merged.json");
    std::fs::write(&merged, &out).expect("write");
    let merged_arg = merged.to_string_lossy().into_owned();
    let (again, _) = check(
        &[
            "questionnaire",
            "import",
            &filled_arg,
            "--vendors",
            &merged_arg,
        ],
        0,
    );
    assert_eq!(
        again, out,
        "importing the same answers twice changes nothing"
    );
    // Another vendor than the file's is refused.
    let (_, err) = check(
        &[
            "questionnaire",
            "import",
            &filled_arg,
            "--vendors",
            &vendors_arg,
            "--vendor",
            "bolt-logistics",
        ],
        2,
    );
    assert!(
        err.contains("filled in for vendor `acme-edi`, not `bolt-logistics`"),
        "{err}"
    );
    for path in [vendors, filled_path, merged] {
        let _ = std::fs::remove_file(path);
    }
}
