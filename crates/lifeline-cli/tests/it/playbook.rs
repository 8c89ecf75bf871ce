//! `lifeline playbook`: every built-in playbook validates; an invalid file exits 2 naming
//! the file, the step and the field; export writes what validate and import read back
//! (lifeline YAML and CACAO); import, list and export go through the database.

use crate::{check, temp};

const BUILTIN: &str = "crates/lifeline-response/data/playbooks";

const VALID: &str = r#"format: lifeline-playbook/1
id: phone-orders
name: Phone orders
trigger:
  incidents: [ransomware]
  entity_kinds: [ordering platform]
steps:
  - id: command
    title: Take command
    function: incident-command
    due: declared + 2h
  - id: order
    title: Order by phone
    function: supply-chain
    after: [command]
    due: first-stockout - 1d
    when: first_stockout_day < 3
    message:
      audience: partners
      subject: "{title}"
      body: "Since {declared_at}, orders go by phone"
    action: notify-partners
"#;

#[test]
fn every_builtin_playbook_validates() {
    let files: Vec<String> = std::fs::read_dir(crate::repo().join(BUILTIN))
        .expect("the playbooks folder")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.ends_with(".yaml").then(|| format!("{BUILTIN}/{name}"))
        })
        .collect();
    assert_eq!(files.len(), 7);
    let mut args = vec!["playbook", "validate"];
    args.extend(files.iter().map(String::as_str));
    let (out, err) = check(&args, 0);
    assert_eq!(out.lines().count(), 7, "{out}");
    for file in &files {
        assert!(
            out.contains(&format!("{file}: valid: playbook ")),
            "{file}: {out}"
        );
    }
    assert!(err.is_empty(), "{err}");
}

#[test]
fn an_invalid_playbook_exits_2_naming_file_step_and_field() {
    let good = temp("good.playbook.yaml");
    std::fs::write(&good, VALID).expect("write");
    let bad = temp("bad.playbook.yaml");
    std::fs::write(
        &bad,
        VALID
            .replace("after: [command]", "after: [comand]")
            .replace("{declared_at}", "{declared}")
            .replace("due: declared + 2h", "due: declared + 2 weeks"),
    )
    .expect("write");
    let good_arg = good.to_string_lossy().into_owned();
    let bad_arg = bad.to_string_lossy().into_owned();
    let (out, _) = check(&["playbook", "validate", &good_arg, &bad_arg], 2);
    for expected in [
        format!("{good_arg}: valid: playbook phone-orders (lifeline form), steps 2, sources 0"),
        format!(
            "{bad_arg}: error: steps[1].after[0]: `comand` names no step of this playbook\n  hint: did you mean `command`?"
        ),
        format!(
            "{bad_arg}: error: steps[1].message.body: unknown placeholder `{{declared}}`\n  hint: did you mean `{{declared_at}}`?"
        ),
        format!("{bad_arg}: error: steps[0].due: `declared + 2 weeks`: the offset needs a unit"),
        format!("{bad_arg}: invalid: 3 error(s)"),
    ] {
        assert!(out.contains(&expected), "missing {expected:?} in:\n{out}");
    }
    // JSON: one report per file.
    let (out, _) = check(
        &[
            "playbook", "validate", &good_arg, &bad_arg, "--format", "json",
        ],
        2,
    );
    let reports: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(reports[0]["valid"], true);
    assert_eq!(reports[0]["playbook"], "phone-orders");
    assert_eq!(reports[1]["valid"], false);
    let paths: Vec<&str> = reports[1]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        ["steps[0].due", "steps[1].after[0]", "steps[1].message.body"]
    );
    let _ = std::fs::remove_file(good);
    let _ = std::fs::remove_file(bad);
}

#[test]
fn unreadable_files_exit_2() {
    let (out, _) = check(&["playbook", "validate", "no/such/playbook.yaml"], 2);
    assert!(
        out.contains("no/such/playbook.yaml: error: cannot read"),
        "{out}"
    );
    let broken = temp("broken.playbook.yaml");
    std::fs::write(&broken, "steps: [").expect("write");
    let arg = broken.to_string_lossy().into_owned();
    let (out, _) = check(&["playbook", "validate", &arg], 2);
    assert!(out.contains("is not valid YAML"), "{out}");
    let _ = std::fs::remove_file(broken);
}

#[test]
fn cacao_files_are_validated_as_cacao() {
    let (out, _) = check(
        &[
            "playbook",
            "validate",
            "crates/lifeline-response/tests/data/cacao/soarca/test-playbooks/invalid_playbook.json",
        ],
        2,
    );
    assert!(out.contains("invalid: "), "{out}");
    // A built-in exported as CACAO reads back as CACAO, to the same playbook.
    let cacao = temp("export.cacao.json");
    let cacao_arg = cacao.to_string_lossy().into_owned();
    check(
        &[
            "playbook",
            "export",
            "blood-supplier-manual-mode",
            "--builtin",
            "--format",
            "cacao",
            "-o",
            &cacao_arg,
        ],
        0,
    );
    let (out, _) = check(&["playbook", "validate", &cacao_arg], 0);
    assert!(
        out.contains("valid: playbook blood-supplier-manual-mode (cacao form), steps 14"),
        "{out}"
    );
    let _ = std::fs::remove_file(cacao);
}

#[test]
fn export_yaml_of_a_builtin_reads_back() {
    let (yaml, err) = check(
        &[
            "playbook",
            "export",
            "manufacturing-plant-down",
            "--builtin",
            "--format",
            "yaml",
        ],
        0,
    );
    assert!(err.is_empty(), "{err}");
    assert!(
        yaml.starts_with("format: lifeline-playbook/1\nid: manufacturing-plant-down\n"),
        "{yaml}"
    );
    let file = temp("export.playbook.yaml");
    std::fs::write(&file, &yaml).expect("write");
    let arg = file.to_string_lossy().into_owned();
    let (out, _) = check(&["playbook", "validate", &arg], 0);
    assert!(
        out.contains("valid: playbook manufacturing-plant-down"),
        "{out}"
    );
    let (_, err) = check(
        &[
            "playbook",
            "export",
            "manufacturing-plant-dwn",
            "--builtin",
            "--format",
            "yaml",
        ],
        2,
    );
    assert!(
        err.contains("no playbook `manufacturing-plant-dwn` among the built-in ones\n  hint: did you mean `manufacturing-plant-down`?"),
        "{err}"
    );
    let _ = std::fs::remove_file(file);
}

#[test]
fn import_list_and_export_through_the_database() {
    let db = temp("playbooks.sqlite");
    let _ = std::fs::remove_file(&db);
    let url = format!("sqlite://{}", db.display());
    let file = temp("import.playbook.yaml");
    std::fs::write(&file, VALID).expect("write");
    let arg = file.to_string_lossy().into_owned();
    let db_args = ["--database", url.as_str(), "--actor", "tester"];
    let with_db = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(db_args.iter())
            .map(|s| (*s).to_owned())
            .collect()
    };
    let run = |args: Vec<String>, code| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        check(&args, code)
    };
    let (out, _) = run(with_db(&["playbook", "import", &arg]), 0);
    assert_eq!(out, "imported playbook phone-orders version 1 (2 steps)\n");
    let (out, _) = run(with_db(&["playbook", "import", &arg]), 0);
    assert_eq!(out, "imported playbook phone-orders version 2 (2 steps)\n");
    let (out, _) = run(with_db(&["playbook", "list", "--format", "json"]), 0);
    let rows: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 8, "{rows:?}");
    let imported = rows
        .iter()
        .find(|r| r["id"] == "phone-orders")
        .expect("imported");
    assert_eq!(imported["version"], 2);
    assert_eq!(imported["created_by"], "tester");
    let (out, _) = run(with_db(&["playbook", "list"]), 0);
    assert!(out.contains("phone-orders"), "{out}");
    assert!(out.contains("imported v2"), "{out}");
    assert!(out.contains("built-in"), "{out}");
    // Export from the database reads back to the imported playbook.
    let (yaml, _) = run(
        with_db(&["playbook", "export", "phone-orders", "--format", "yaml"]),
        0,
    );
    let again = temp("again.playbook.yaml");
    std::fs::write(&again, &yaml).expect("write");
    let again_arg = again.to_string_lossy().into_owned();
    let (out, _) = check(&["playbook", "validate", &again_arg], 0);
    assert!(
        out.contains("valid: playbook phone-orders (lifeline form), steps 2"),
        "{out}"
    );
    let (json, _) = run(
        with_db(&["playbook", "export", "phone-orders", "--format", "cacao"]),
        0,
    );
    let document: serde_json::Value = serde_json::from_str(&json).expect("CACAO JSON");
    assert_eq!(document["spec_version"], "cacao-2.0");
    // An invalid file is not imported.
    let bad = temp("bad-import.playbook.yaml");
    std::fs::write(&bad, VALID.replace("after: [command]", "after: [order]")).expect("write");
    let bad_arg = bad.to_string_lossy().into_owned();
    let (_, err) = run(with_db(&["playbook", "import", &bad_arg]), 2);
    assert!(
        err.contains("steps[1].after[0]: step `order` cannot come after itself"),
        "{err}"
    );
    for path in [db, file, again, bad] {
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn hostile_values_reach_the_terminal_escaped() {
    let file = temp("hostile.playbook.yaml");
    std::fs::write(
        &file,
        VALID
            .replace("after: [command]", "after: [\"\\e]0;owned\\a\\u202e\"]")
            .replace("name: Phone orders", "name: \"\\e[2J\"\nextra\\u0007: 1"),
    )
    .expect("write");
    let arg = file.to_string_lossy().into_owned();
    let (out, err) = check(&["playbook", "validate", &arg], 2);
    for text in [&out, &err] {
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && lifeline_text::is_unsafe(c)),
            "raw control or bidi character in {text:?}"
        );
    }
    assert!(
        out.contains("steps[1].after[0]: `\\u{1b}]0;owned\\u{7}\\u{202e}` names no step"),
        "{out}"
    );
    let _ = std::fs::remove_file(file);
}
