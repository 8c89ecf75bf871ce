//! The questionnaires: the CSF 2.0 catalogue against the XML itself, the HICP and controls
//! question banks, a round trip of every framework through every format (exported, filled
//! in by a script, read back), every problem of a bad filled file at once, and the merge
//! into the register.

use std::path::Path;

use lifeline_risk::model::{Answer, AnswerValue, Control, ControlId, Evidence, Register, Vendor};
use lifeline_risk::questionnaire::{
    self, Filled, Framework, Measure, MeasureValue, MergeError, Merged, QuestionnaireError,
    QuestionnaireFormat, csf, csf2_questionnaire, export, is_known_question, merge, question_text,
    read_filled,
};
use proptest::prelude::*;

const FORMATS: [QuestionnaireFormat; 3] = [
    QuestionnaireFormat::Yaml,
    QuestionnaireFormat::Csv,
    QuestionnaireFormat::Json,
];

fn date(text: &str) -> time::Date {
    lifeline_risk::date::parse(text).expect("a valid date")
}

// ------------------------------------------------------------------ the CSF catalogue

/// Counts straight from the XML, independently of the parser under test: every function
/// (`group`), category and subcategory element, and those that CSF 2.0 keeps (a category
/// with a statement, a subcategory with implementation examples; data/SOURCES.md).
#[test]
fn csf_catalogue_has_the_published_counts() {
    let document = roxmltree::Document::parse(csf::CATALOGUE_XML).unwrap();
    let class = |c: &str| {
        document
            .descendants()
            .filter(|n| n.attribute("class") == Some(c))
            .collect::<Vec<_>>()
    };
    let has_part = |n: &roxmltree::Node<'_, '_>, name: &str, nonempty: bool| {
        n.children().any(|p| {
            p.tag_name().name() == "part"
                && p.attribute("name") == Some(name)
                && (!nonempty
                    || p.descendants()
                        .any(|t| t.is_text() && !t.text().unwrap().trim().is_empty()))
        })
    };
    let functions = class("function");
    let categories = class("category");
    let subcategories = class("subcategory");
    assert_eq!(
        (functions.len(), categories.len(), subcategories.len()),
        (6, 34, 185),
        "the file holds CSF 1.1's withdrawn elements too"
    );
    let current_categories = categories
        .iter()
        .filter(|c| has_part(c, "statement", true))
        .count();
    let current_subcategories = subcategories
        .iter()
        .filter(|s| has_part(s, "example", false))
        .count();
    assert_eq!((current_categories, current_subcategories), (22, 106));

    let catalogue = csf::catalogue();
    assert_eq!(catalogue.title, "NIST Cybersecurity Framework 2.0");
    let ids: Vec<&str> = catalogue.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["GV", "ID", "PR", "DE", "RS", "RC"]);
    assert_eq!(catalogue.functions[0].title, "GOVERN");
    assert_eq!(catalogue.categories().count(), 22);
    assert_eq!(catalogue.subcategories().count(), 106);
    // CSF 2.0's categories per function: GV 6, ID 3, PR 5, DE 2, RS 4, RC 2.
    let per_function: Vec<usize> = catalogue
        .functions
        .iter()
        .map(|f| f.categories.len())
        .collect();
    assert_eq!(per_function, [6, 3, 5, 2, 4, 2]);
    // Withdrawn elements are gone, 2.0's new ones are there.
    for withdrawn in ["PR.AT-03", "DE.AE-01", "ID.AM-06", "RS.AN-01", "ID.SC-02"] {
        assert!(catalogue.subcategory(withdrawn).is_none(), "{withdrawn}");
        assert!(!is_known_question(withdrawn), "{withdrawn}");
    }
    assert!(catalogue.category("ID.BE").is_none());
    let supply_chain = catalogue.category("GV.SC").unwrap();
    assert_eq!(
        supply_chain.title,
        "Cybersecurity Supply Chain Risk Management"
    );
    let ids: Vec<String> = supply_chain
        .subcategories
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let expected: Vec<String> = (1..=10).map(|i| format!("GV.SC-{i:02}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(
        catalogue.subcategory("GV.SC-04").unwrap().statement,
        "Suppliers are known and prioritized by criticality"
    );
    assert!(
        catalogue
            .subcategories()
            .all(|s| !s.statement.is_empty() && !s.examples.is_empty())
    );
}

#[test]
fn csf_parse_refuses_what_is_no_catalogue() {
    assert!(matches!(
        csf::parse("<catalog"),
        Err(csf::CatalogueError::Xml(_))
    ));
    assert!(matches!(
        csf::parse("<profile xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\"/>"),
        Err(csf::CatalogueError::NotACatalogue(root)) if root == "profile"
    ));
    assert!(matches!(
        csf::parse("<catalog xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\"><metadata/></catalog>"),
        Err(csf::CatalogueError::Missing(_))
    ));
}

#[test]
fn questionnaires_of_each_framework() {
    let csf = questionnaire::questionnaire(Framework::Csf2);
    assert_eq!(csf.questions.len(), 10, "GV.SC by default");
    assert_eq!(
        csf.questions[0].group,
        "GV.SC Cybersecurity Supply Chain Risk Management"
    );
    assert!(
        csf.questions[0]
            .guidance
            .as_deref()
            .unwrap()
            .starts_with("Implementation examples: (1) ")
    );
    assert!(csf.version.contains("1.0.0"), "{}", csf.version);

    let more = csf2_questionnaire(&["GV.SC", "PR.AA"]).unwrap();
    assert_eq!(more.questions.len(), 16);
    assert_eq!(more.questions[10].id, "PR.AA-01");
    assert_eq!(csf2_questionnaire(&[]).unwrap().questions.len(), 106);
    let error = csf2_questionnaire(&["GV.SX"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`GV.SX` is not a NIST CSF 2.0 category (did you mean `GV.SC`?)"
    );
    assert!(csf2_questionnaire(&["ID.BE"]).is_err(), "withdrawn in 2.0");

    let hicp = questionnaire::questionnaire(Framework::Hicp);
    let ids: Vec<&str> = hicp.questions.iter().map(|q| q.id.as_str()).collect();
    let expected: Vec<String> = (1..=10).map(|i| format!("HICP-{i}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(hicp.questions[6].group, "HICP-7 Vulnerability Management");
    assert!(hicp.version.contains("2023"));

    // One question per control, in the spec's order, each mapped to CSF 2.0 subcategories
    // that the catalogue holds.
    let controls = questionnaire::questionnaire(Framework::Controls);
    let linked: Vec<ControlId> = controls
        .questions
        .iter()
        .filter_map(|q| q.control)
        .collect();
    assert_eq!(linked, ControlId::ALL);
    for question in &controls.questions {
        let control = question.control.unwrap();
        assert_eq!(
            question.id,
            format!("ctl-{}", control.key().replace('_', "-"))
        );
        let mapping = questionnaire::csf_mapping(&question.id);
        assert!(!mapping.is_empty(), "{}", question.id);
        for subcategory in mapping {
            assert!(
                csf::catalogue().subcategory(subcategory).is_some(),
                "{subcategory}"
            );
            assert!(
                question
                    .guidance
                    .as_deref()
                    .unwrap()
                    .contains(subcategory.as_str())
            );
        }
    }
}

#[test]
fn known_questions_and_their_text() {
    for id in [
        "GV.SC-05",
        "PR.AA-03",
        "RC.RP-06",
        "HICP-1",
        "HICP-10",
        "ctl-mfa",
        "ctl-sbom-provided",
    ] {
        assert!(is_known_question(id), "{id}");
        assert!(question_text(id).is_some_and(|t| !t.is_empty()), "{id}");
    }
    for id in ["GV.SC-11", "HICP-11", "ctl-firewall", "gv.sc-05", "", "mfa"] {
        assert!(!is_known_question(id), "{id}");
        assert_eq!(question_text(id), None, "{id}");
    }
    assert_eq!(
        question_text("GV.SC-04").as_deref(),
        Some("Suppliers are known and prioritized by criticality")
    );
    assert_eq!(questionnaire::framework_of("HICP-3"), Some(Framework::Hicp));
    assert_eq!("csf2".parse::<Framework>(), Ok(Framework::Csf2));
    assert_eq!(
        "csf".parse::<Framework>().unwrap_err().to_string(),
        "unknown framework `csf`, expected `csf2`, `hicp` or `controls`"
    );
    assert_eq!(
        "csv".parse::<QuestionnaireFormat>(),
        Ok(QuestionnaireFormat::Csv)
    );
    assert!("xml".parse::<QuestionnaireFormat>().is_err());
}

// ------------------------------------------------------------------ round trip

fn vendor() -> Vendor {
    Vendor {
        id: "acme-edi".to_owned(),
        name: "Acme EDI, \"Inc\": ransomware-free since 2024".to_owned(),
        ..Vendor::default()
    }
}

/// What the script answers to the `i`-th question: every value in turn, evidence on every
/// other one (all fields on some, the kind alone on others), comments with the characters
/// that need quoting in YAML, JSON and CSV.
fn planned(i: usize, question: &str) -> Answer {
    let answer = [
        AnswerValue::Yes,
        AnswerValue::Partial,
        AnswerValue::No,
        AnswerValue::Na,
    ][i % 4];
    let evidence = match i % 3 {
        0 => vec![Evidence {
            kind: "soc2-type2".to_owned(),
            issued: Some(date("2026-03-01")),
            expires: Some(date("2027-02-28")),
            reference: Some(format!("SOC2-{i}, \"bridge\" letter: p. 4")),
        }],
        1 => vec![Evidence {
            kind: "attestation".to_owned(),
            ..Evidence::default()
        }],
        _ => Vec::new(),
    };
    let comment = i
        .is_multiple_of(2)
        .then(|| format!("{question}: see #{i}, 'quoted' — ünïcode\tand a tab"));
    Answer {
        question: question.to_owned(),
        answer,
        evidence,
        comment,
    }
}

/// What the script writes for each measurement, and what it should read as.
fn detail(measure: Measure) -> (&'static str, MeasureValue) {
    match measure {
        Measure::LastRestoreTest => ("2026-10-15", MeasureValue::Date(date("2026-10-15"))),
        Measure::LastTested => ("2026-06-02", MeasureValue::Date(date("2026-06-02"))),
        Measure::RestoreHours => ("6.5", MeasureValue::Number(6.5)),
        Measure::Completion => ("0.97", MeasureValue::Number(0.97)),
        Measure::PhishingClickRate => ("0.04", MeasureValue::Number(0.04)),
        Measure::CriticalPatchDays => ("14", MeasureValue::Number(14.0)),
    }
}

/// The measures the controls question `id` asks for.
fn measures_of(id: &str) -> Vec<Measure> {
    questionnaire::questionnaire(Framework::Controls)
        .question(id)
        .and_then(|q| q.control)
        .map(|c| Measure::of(c).collect())
        .unwrap_or_default()
}

fn yaml_quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// Fills a blank YAML form line by line, as a person would in an editor: the answer after
/// `answer:`, the evidence as a block list, the comment after `comment:`.
fn fill_yaml(blank: &str, plan: &[Answer]) -> String {
    let mut out = String::new();
    let mut current: Option<&Answer> = None;
    let mut index = 0;
    for line in blank.lines() {
        if line.starts_with("  - question: ") {
            current = plan.get(index);
            index += 1;
            out.push_str(line);
        } else if line.starts_with("    answer:") {
            let answer = current.expect("a question line comes first");
            // A bare yes/no, as people write them (YAML 1.1 reads them as booleans).
            out.push_str(&format!("    answer: {}", answer.answer.as_str()));
        } else if line.starts_with("    evidence:") {
            let answer = current.expect("a question line comes first");
            if answer.evidence.is_empty() {
                out.push_str("    evidence: []");
            } else {
                out.push_str("    evidence:");
                for e in &answer.evidence {
                    out.push_str(&format!("\n      - kind: {}", e.kind));
                    if let Some(issued) = e.issued {
                        out.push_str(&format!(
                            "\n        issued: {}",
                            lifeline_risk::date::format(issued)
                        ));
                    }
                    if let Some(expires) = e.expires {
                        out.push_str(&format!(
                            "\n        expires: \"{}\"",
                            lifeline_risk::date::format(expires)
                        ));
                    }
                    if let Some(reference) = &e.reference {
                        out.push_str(&format!("\n        reference: {}", yaml_quoted(reference)));
                    }
                }
            }
        } else if let Some(measure) = Measure::ALL
            .into_iter()
            .find(|m| line.starts_with(&format!("      {}:", m.key())))
        {
            out.push_str(&format!("      {}: {}", measure.key(), detail(measure).0));
        } else if line.starts_with("    comment:") {
            match &current.expect("a question line comes first").comment {
                Some(comment) => out.push_str(&format!("    comment: {}", yaml_quoted(comment))),
                None => out.push_str(line),
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    assert_eq!(index, plan.len(), "one answer per question");
    out
}

fn fill_json(blank: &str, plan: &[Answer]) -> String {
    let mut document: serde_json::Value = serde_json::from_str(blank).expect("the blank is JSON");
    let rows = document["answers"]
        .as_array_mut()
        .expect("the blank lists answers");
    assert_eq!(rows.len(), plan.len());
    for (row, answer) in rows.iter_mut().zip(plan) {
        assert_eq!(row["question"], answer.question.as_str());
        row["answer"] = answer.answer.as_str().into();
        row["evidence"] = serde_json::to_value(&answer.evidence).expect("evidence serializes");
        row["comment"] = answer.comment.clone().into();
        for measure in measures_of(&answer.question) {
            let (text, value) = detail(measure);
            row["details"][measure.key()] = match value {
                MeasureValue::Date(_) => text.into(),
                MeasureValue::Number(x) => x.into(),
            };
        }
    }
    serde_json::to_string_pretty(&document).expect("JSON serializes")
}

fn fill_csv(blank: &str, plan: &[Answer]) -> String {
    let mut reader = csv::Reader::from_reader(blank.as_bytes());
    let headers = reader.headers().expect("the blank has a header").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .expect("the blank has the column")
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(&headers)
        .expect("the script writes CSV");
    let mut count = 0;
    for (record, answer) in reader.records().zip(plan) {
        let mut cells: Vec<String> = record
            .expect("the blank is CSV")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(cells[column("question")], answer.question);
        // Upper case, as a spreadsheet's drop-down might write it.
        cells[column("answer")] = answer.answer.as_str().to_uppercase();
        if let Some(e) = answer.evidence.first() {
            cells[column("evidence_kind")] = e.kind.clone();
            cells[column("evidence_issued")] = e
                .issued
                .map(lifeline_risk::date::format)
                .unwrap_or_default();
            cells[column("evidence_expires")] = e
                .expires
                .map(lifeline_risk::date::format)
                .unwrap_or_default();
            cells[column("evidence_reference")] = e.reference.clone().unwrap_or_default();
        }
        cells[column("comment")] = answer.comment.clone().unwrap_or_default();
        for measure in measures_of(&answer.question) {
            cells[column(measure.key())] = detail(measure).0.to_owned();
        }
        writer.write_record(&cells).expect("the script writes CSV");
        count += 1;
    }
    assert_eq!(count, plan.len());
    String::from_utf8(writer.into_inner().expect("the script writes CSV"))
        .expect("CSV of strings is UTF-8")
}

#[test]
fn every_framework_round_trips_through_every_format() {
    let vendor = vendor();
    for framework in Framework::ALL {
        let questionnaire = questionnaire::questionnaire(framework);
        let plan: Vec<Answer> = questionnaire
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let mut answer = planned(i, &q.id);
                // A question with details is answered, so that they are read (an `na`
                // leaves the control unknown and its details aside).
                if !measures_of(&q.id).is_empty() && answer.answer == AnswerValue::Na {
                    answer.answer = AnswerValue::Yes;
                }
                answer
            })
            .collect();
        for format in FORMATS {
            let blank = export(&questionnaire, Some(&vendor), format);
            // The blank reads back as a questionnaire with no answer.
            let empty = read_filled(&blank, format, Path::new("blank")).unwrap();
            assert!(empty.answers.is_empty(), "{framework} {format:?}");
            assert_eq!(empty.vendor.as_deref(), Some("acme-edi"));
            assert_eq!(empty.warnings.len(), 1, "{:?}", empty.warnings);

            let filled = match format {
                QuestionnaireFormat::Yaml => fill_yaml(&blank, &plan),
                QuestionnaireFormat::Json => fill_json(&blank, &plan),
                QuestionnaireFormat::Csv => fill_csv(&blank, &plan),
            };
            let read = read_filled(&filled, format, Path::new("filled"))
                .unwrap_or_else(|e| panic!("{framework} {format:?}: {e}\n{filled}"));
            assert_eq!(read.framework, framework);
            assert_eq!(read.vendor.as_deref(), Some("acme-edi"));
            assert_eq!(read.answers, plan, "{framework} {format:?}\n{filled}");
            assert!(
                read.warnings.is_empty(),
                "{framework} {format:?}: {:?}",
                read.warnings
            );
            if framework == Framework::Controls {
                // yes in place, partial and no not in place, na unknown; evidence carried.
                for (i, control) in ControlId::ALL.into_iter().enumerate() {
                    let expected = match plan[i].answer {
                        AnswerValue::Yes => Some(true),
                        AnswerValue::Partial | AnswerValue::No => Some(false),
                        AnswerValue::Na => None,
                    };
                    let got = read.controls.get(control);
                    assert_eq!(got.map(|c| c.in_place), expected, "{control}");
                    if let Some(got) = got {
                        assert_eq!(got.evidence, plan[i].evidence);
                        for measure in Measure::ALL {
                            let expected =
                                (measure.control() == control).then(|| detail(measure).1);
                            assert_eq!(
                                measure.get(got),
                                expected,
                                "{control} {measure:?} {format:?}"
                            );
                        }
                    }
                }
            } else {
                assert!(read.controls.is_empty());
            }
        }
    }
}

#[test]
fn exports_without_a_vendor_and_csv_cells_are_safe() {
    let questionnaire = questionnaire::questionnaire(Framework::Hicp);
    for format in FORMATS {
        let blank = export(&questionnaire, None, format);
        let read = read_filled(&blank, format, Path::new("blank")).unwrap();
        assert_eq!(read.vendor, None);
        assert_eq!(read.framework, Framework::Hicp);
    }
    let hostile = Vendor {
        id: "acme".to_owned(),
        name: "=HYPERLINK(\"http://x\")\u{1b}[2J\u{2028}".to_owned(),
        ..Vendor::default()
    };
    let csv = export(&questionnaire, Some(&hostile), QuestionnaireFormat::Csv);
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(!csv.contains('\u{1b}'));
    // YAML keeps the name exactly, escaped inside quotes.
    let yaml = export(&questionnaire, Some(&hostile), QuestionnaireFormat::Yaml);
    assert!(
        !yaml.contains('\u{1b}') && !yaml.contains('\u{2028}'),
        "{yaml}"
    );
    let raw = lifeline_network::parse_raw(&yaml, lifeline_network::Format::Yaml).unwrap();
    let lifeline_network::Raw::Map(fields) = raw else {
        panic!("a map")
    };
    let vendor = &fields.iter().find(|(k, _)| k == "vendor").unwrap().1;
    assert_eq!(
        vendor,
        &lifeline_network::Raw::Map(vec![
            (
                "id".to_owned(),
                lifeline_network::Raw::String("acme".to_owned())
            ),
            (
                "name".to_owned(),
                lifeline_network::Raw::String(hostile.name.clone())
            ),
        ])
    );
}

#[test]
fn csv_saved_with_semicolons_reads_too() {
    let filled = read_filled(
        "framework;question;answer;evidence_kind;evidence_expires;comment\n\
         hicp;HICP-7;Yes;pen-test;2027-01-31;\"patched; within 14 days\"\n\
         hicp;HICP-8;n/a;;;\n",
        QuestionnaireFormat::Csv,
        Path::new("filled.csv"),
    )
    .expect("a valid questionnaire");
    assert_eq!(filled.framework, Framework::Hicp);
    assert_eq!(filled.answers.len(), 2);
    assert_eq!(filled.answers[0].answer, AnswerValue::Yes);
    assert_eq!(
        filled.answers[0].evidence[0].expires,
        Some(date("2027-01-31"))
    );
    assert_eq!(
        filled.answers[0].comment.as_deref(),
        Some("patched; within 14 days")
    );
    assert_eq!(filled.answers[1].answer, AnswerValue::Na);
}

/// The forms as a vendor receives them, pinned: a change of layout is a change of the
/// contract with the people who fill them in.
#[test]
fn blank_forms_are_stable() {
    let controls = questionnaire::questionnaire(Framework::Controls);
    let acme = Vendor {
        id: "acme-edi".to_owned(),
        name: "Acme EDI".to_owned(),
        ..Vendor::default()
    };
    insta::assert_snapshot!(
        "controls.yaml",
        export(&controls, Some(&acme), QuestionnaireFormat::Yaml)
    );
    insta::assert_snapshot!(
        "controls.csv",
        export(&controls, Some(&acme), QuestionnaireFormat::Csv)
    );
    let hicp = questionnaire::questionnaire(Framework::Hicp);
    insta::assert_snapshot!("hicp.json", export(&hicp, None, QuestionnaireFormat::Json));
    // The same inputs, the same bytes.
    assert_eq!(
        export(&hicp, Some(&acme), QuestionnaireFormat::Csv),
        export(&hicp, Some(&acme), QuestionnaireFormat::Csv)
    );
}

// ------------------------------------------------------------------ problems

/// Reads `text` expecting it to be refused; every diagnostic, one per line.
fn problems(format: QuestionnaireFormat, text: &str) -> String {
    match read_filled(text, format, Path::new("filled.x")) {
        Ok(filled) => panic!("expected errors, read {filled:?}"),
        Err(QuestionnaireError::Invalid { path, diagnostics }) => {
            assert_eq!(path, Path::new("filled.x"));
            diagnostics.0.iter().map(|d| format!("{d}\n")).collect()
        }
        Err(other) => other.to_string(),
    }
}

fn check(format: QuestionnaireFormat, text: &str, expected: &str) {
    let got = problems(format, text);
    assert_eq!(got.trim_end(), expected.trim_end(), "\n{got}");
}

#[test]
fn every_problem_of_a_yaml_file_at_once() {
    check(
        QuestionnaireFormat::Yaml,
        r#"
format: lifeline-questionnaire/1
framework: csf2
vendor: { id: Acme EDI, name: x }
colour: blue
answers:
  - question: GV.SC-01
    answer: maybe
  - question: GV.SC-02
    answer: yes
    evidence:
      - kind: soc2-type2
        issued: 2026-13-01
        expires: "2026-01-01"
      - issued: "2025-01-01"
        expires: "2024-01-01"
  - question: GV.SC-99
    answer: no
  - question: HICP-3
    answer: no
  - question: GV.SC-01
    answer: na
  - answer: 3
  - question: GV.SC-03
    comment: "forgot the answer"
"#,
        "\
error: vendor.id: `Acme EDI` is not a vendor id: lower-case letters and digits joined by single hyphens
error: answers[0] (GV.SC-01).answer: expected `yes`, `partial`, `no` or `na`, found `maybe`
error: answers[1] (GV.SC-02).evidence[0].issued: expected a date as YYYY-MM-DD, found `2026-13-01`
  hint: write the date as 2027-03-31 (a spreadsheet may have reformatted it)
error: answers[1] (GV.SC-02).evidence[1].kind: missing required field
error: answers[5].question: missing required field
error: answers[5].answer: expected `yes`, `partial`, `no` or `na`, found `3`
warning: colour: unknown field, ignored
error: answers[2] (GV.SC-99).question: `GV.SC-99` is not a question of the csf2 questionnaire
  hint: did you mean `GV.SC-09`?
error: answers[3] (HICP-3).question: `HICP-3` is not a question of the csf2 questionnaire
  hint: `HICP-3` is a question of the hicp questionnaire: one file answers one questionnaire
error: answers[4] (GV.SC-01).question: `GV.SC-01` is answered twice: first on answers[0]
warning: answers[6] (GV.SC-03).answer: no answer: the question stays unanswered, its evidence, details and comment are ignored
",
    );
}

#[test]
fn every_problem_of_a_csv_file_at_once() {
    check(
        QuestionnaireFormat::Csv,
        "\u{feff}vendor,framework,question,answer,evidence_kind,evidence_issued,evidence_expires,notes\n\
         acme,controls,ctl-mfa,Yes,soc2-type2,2026-01-01,2025-12-31,x\n\
         acme,controls,ctl-offline-backup,no,,,,\n\
         other,hicp,ctl-mfa,perhaps,,01/02/2027,,\n\
         ,,,,,,,\n\
         acme,controls,,yes,,,,,extra\n",
        "\
warning: column `notes`: unknown column, ignored
error: row 2 (ctl-mfa).evidence_expires: expires 2025-12-31 before it was issued (2026-01-01)
error: row 4 (ctl-mfa).framework: `hicp` differs from `controls` on row 2: a file holds one questionnaire
error: row 4 (ctl-mfa).vendor: `other` differs from `acme` on row 2: a file answers for one vendor
error: row 4 (ctl-mfa).answer: expected `yes`, `partial`, `no` or `na`, found `perhaps`
error: row 4 (ctl-mfa).evidence_issued: expected a date as YYYY-MM-DD, found `01/02/2027`
  hint: write the date as 2027-03-31 (a spreadsheet may have reformatted it)
error: row 4 (ctl-mfa).evidence_kind: missing: evidence needs a kind (soc2-type2, iso27001, pen-test, attestation, ...)
error: row 6: the row has 9 cells, the header 8
error: row 6.question: missing: every row names its question
error: row 3 (ctl-offline-backup).question: `ctl-offline-backup` is not a question of the controls questionnaire
  hint: did you mean `ctl-offline-backups`?
error: row 4 (ctl-mfa).question: `ctl-mfa` is answered twice: first on row 2
",
    );
}

#[test]
fn details_of_the_controls_questionnaire() {
    check(
        QuestionnaireFormat::Yaml,
        r#"
format: lifeline-questionnaire/1
framework: controls
answers:
  - question: ctl-offline-backups
    answer: yes
    details: { last_restore_test: 2026-02-30, restore_hours: -4, colour: red }
  - question: ctl-awareness-training
    answer: partial
    details: { completion: 1.5, phishing_click_rate: "0.1" }
"#,
        "\
error: answers[0] (ctl-offline-backups).details.last_restore_test: expected a date as YYYY-MM-DD, found `2026-02-30`
  hint: write the date as 2027-03-31 (a spreadsheet may have reformatted it)
error: answers[0] (ctl-offline-backups).details.restore_hours: must be a number from 0 to 100000, found `-4`
warning: answers[0] (ctl-offline-backups).details.colour: unknown field, ignored
error: answers[1] (ctl-awareness-training).details.completion: must be a number from 0 to 1, found `1.5`
error: answers[1] (ctl-awareness-training).details.phishing_click_rate: expected a number from 0 to 1, found `\"0.1\"`
",
    );
    // Details of another question, and of an `na`, are set aside with a warning.
    let filled = read_filled(
        "framework,question,answer,restore_hours,last_tested,critical_patch_days\n\
         controls,ctl-mfa,yes,4,,\n\
         controls,ctl-incident-response-plan,na,,2026-05-01,\n\
         controls,ctl-vulnerability-management,no,,,30\n",
        QuestionnaireFormat::Csv,
        Path::new("filled.csv"),
    )
    .expect("valid, with warnings");
    let warnings: Vec<String> = filled.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "warning: row 2 (ctl-mfa).restore_hours: `restore_hours` is a detail of the controls questionnaire's `ctl-offline-backups` question, not of this one: ignored",
            "warning: row 3 (ctl-incident-response-plan).last_tested: the answer is `na`: the control stays unknown and this detail is ignored",
        ]
    );
    let mfa = filled.controls.get(ControlId::Mfa).expect("mfa");
    assert_eq!(mfa.restore_hours, None);
    assert!(
        filled
            .controls
            .get(ControlId::IncidentResponsePlan)
            .is_none()
    );
    let patching = filled
        .controls
        .get(ControlId::VulnerabilityManagement)
        .expect("vulnerability management");
    assert!(!patching.in_place);
    assert_eq!(patching.critical_patch_days, Some(30.0));
    check(
        QuestionnaireFormat::Csv,
        "framework,question,answer,critical_patch_days\ncontrols,ctl-vulnerability-management,yes,two weeks\n",
        "error: row 2 (ctl-vulnerability-management).critical_patch_days: expected a number (days), found `two weeks`",
    );
}

#[test]
fn missing_framework_and_columns() {
    check(
        QuestionnaireFormat::Json,
        r#"{"format": "lifeline-questionnaire/2", "answers": {}}"#,
        "\
error: format: unsupported format `\"lifeline-questionnaire/2\"`, expected `\"lifeline-questionnaire/1\"`
error: framework: missing required field: `csf2`, `hicp` or `controls`
error: answers: expected a list, found an object
",
    );
    check(
        QuestionnaireFormat::Json,
        r#"{"framework": "nist", "answers": []}"#,
        "\
warning: format: missing; read as `lifeline-questionnaire/1`
  hint: add \"format\": \"lifeline-questionnaire/1\"
error: framework: unknown framework `nist`, expected `csf2`, `hicp` or `controls`
",
    );
    check(
        QuestionnaireFormat::Csv,
        "question,comment,comment\nGV.SC-01,a,b\n",
        "\
error: column `comment`: duplicate column: the header names this column twice
error: column `framework`: missing required column
error: column `answer`: missing required column
",
    );
    check(
        QuestionnaireFormat::Csv,
        "",
        "error: the file is empty: expected a header row and one row per question",
    );
    assert!(matches!(
        read_filled(
            "{\"answers\": [",
            QuestionnaireFormat::Json,
            Path::new("broken.json")
        ),
        Err(QuestionnaireError::Load(
            lifeline_network::LoadError::Syntax { .. }
        ))
    ));
    let error = read_filled(
        "{\"answers\": [",
        QuestionnaireFormat::Json,
        Path::new("broken.json"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("`broken.json` is not valid JSON"),
        "{error}"
    );
}

#[test]
fn duplicate_keys_and_odd_values_in_json() {
    check(
        QuestionnaireFormat::Json,
        r#"{"format": "lifeline-questionnaire/1", "framework": "hicp", "vendor": 7,
            "answers": [{"question": "HICP-1", "answer": "YES", "answer": "no", "evidence": "soc2",
                         "comment": ["a"]}, "HICP-2"]}"#,
        "\
error: vendor: expected a vendor id or an object with `id`, found `7`
error: answers[0] (HICP-1).answer: duplicate key: the object names this field twice
error: answers[0] (HICP-1).evidence: expected a list of evidence, found `\"soc2\"`
error: answers[0] (HICP-1).comment: expected a string, found a list
error: answers[1]: expected an object, found `\"HICP-2\"`
",
    );
}

// ------------------------------------------------------------------ merge

fn register() -> Register {
    let mut acme = Vendor {
        id: "acme-edi".to_owned(),
        name: "Acme EDI".to_owned(),
        ..Vendor::default()
    };
    acme.answers.push(Answer {
        question: "ctl-mfa".to_owned(),
        answer: AnswerValue::No,
        evidence: Vec::new(),
        comment: Some("rolling out".to_owned()),
    });
    acme.answers.push(Answer {
        question: "GV.SC-05".to_owned(),
        answer: AnswerValue::Partial,
        evidence: Vec::new(),
        comment: None,
    });
    acme.controls.0.insert(
        ControlId::OfflineBackups,
        Control {
            in_place: false,
            restore_hours: Some(36.0),
            ..Control::default()
        },
    );
    acme.controls.0.insert(
        ControlId::Mfa,
        Control {
            in_place: false,
            ..Control::default()
        },
    );
    Register {
        format: lifeline_risk::FORMAT,
        as_of: Some(date("2026-12-01")),
        vendors: vec![
            acme,
            Vendor {
                id: "bolt-logistics".to_owned(),
                name: "Bolt".to_owned(),
                ..Vendor::default()
            },
        ],
    }
}

fn filled_controls(vendor: Option<&str>) -> Filled {
    let mut text =
        String::from("framework,vendor,question,answer,evidence_kind,evidence_expires,comment\n");
    for (question, answer) in [
        ("ctl-mfa", "yes"),
        ("ctl-offline-backups", "yes"),
        ("ctl-sbom-provided", "na"),
        ("ctl-network-segmentation", "partial"),
    ] {
        text.push_str(&format!(
            "controls,{},{question},{answer},soc2-type2,2027-06-30,from the 2026 review\n",
            vendor.unwrap_or_default()
        ));
    }
    read_filled(&text, QuestionnaireFormat::Csv, Path::new("controls.csv"))
        .expect("a CSV the script wrote reads")
}

#[test]
fn merge_replaces_earlier_answers_and_sets_controls() {
    let mut register = register();
    let filled = filled_controls(Some("acme-edi"));
    let merged = merge(&mut register, "acme-edi", filled).unwrap();
    assert_eq!(
        merged,
        Merged {
            added: 3,
            replaced: 1,
            controls: 3
        }
    );
    let acme = register.vendor("acme-edi").unwrap();
    let questions: Vec<(&str, AnswerValue)> = acme
        .answers
        .iter()
        .map(|a| (a.question.as_str(), a.answer))
        .collect();
    assert_eq!(
        questions,
        [
            ("ctl-mfa", AnswerValue::Yes),
            ("GV.SC-05", AnswerValue::Partial),
            ("ctl-offline-backups", AnswerValue::Yes),
            ("ctl-sbom-provided", AnswerValue::Na),
            ("ctl-network-segmentation", AnswerValue::Partial),
        ]
    );
    assert_eq!(
        acme.answers[0].comment.as_deref(),
        Some("from the 2026 review")
    );
    let mfa = acme.controls.get(ControlId::Mfa).unwrap();
    assert!(mfa.in_place);
    assert_eq!(mfa.evidence[0].expires, Some(date("2027-06-30")));
    // The measurement the register held is kept.
    let backups = acme.controls.get(ControlId::OfflineBackups).unwrap();
    assert!(backups.in_place);
    assert_eq!(backups.restore_hours, Some(36.0));
    assert!(
        !acme
            .controls
            .get(ControlId::NetworkSegmentation)
            .unwrap()
            .in_place
    );
    assert!(
        acme.controls.get(ControlId::SbomProvided).is_none(),
        "na stays unknown"
    );
    // A measurement given replaces the register's; one not given keeps it.
    let again = read_filled(
        "framework,question,answer,last_restore_test\ncontrols,ctl-offline-backups,yes,2026-11-20\n",
        QuestionnaireFormat::Csv,
        Path::new("again.csv"),
    )
    .expect("valid");
    merge(&mut register, "acme-edi", again).expect("merged");
    let acme = register.vendor("acme-edi").expect("acme");
    let backups = acme
        .controls
        .get(ControlId::OfflineBackups)
        .expect("backups");
    assert_eq!(backups.last_restore_test, Some(date("2026-11-20")));
    assert_eq!(backups.restore_hours, Some(36.0));
    assert!(
        backups.evidence.is_empty(),
        "the new answer's evidence: none"
    );
    // The other vendor is untouched.
    assert_eq!(register.vendors[1], register_bolt());
    // The register still serializes in the register's format.
    let json = serde_json::to_value(&register).unwrap();
    assert_eq!(json["vendors"][0]["controls"]["mfa"]["in_place"], true);
    assert_eq!(
        json["vendors"][0]["answers"][2]["question"],
        "ctl-offline-backups"
    );
}

fn register_bolt() -> Vendor {
    register().vendors[1].clone()
}

#[test]
fn merge_refuses_another_vendor_and_an_unknown_one() {
    let mut register = register();
    let before = register.clone();
    assert_eq!(
        merge(
            &mut register,
            "bolt-logistics",
            filled_controls(Some("acme-edi"))
        ),
        Err(MergeError::VendorMismatch {
            filled: "acme-edi".to_owned(),
            asked: "bolt-logistics".to_owned()
        })
    );
    let error = merge(&mut register, "acme-ed", filled_controls(None)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the register has no vendor `acme-ed` (did you mean `acme-edi`?)"
    );
    assert_eq!(register, before, "nothing changes on error");
    // A file that names no vendor merges into the one asked for.
    let merged = merge(&mut register, "bolt-logistics", filled_controls(None)).unwrap();
    assert_eq!(merged.added, 4);
}

// ------------------------------------------------------------------ robustness

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Reading never panics, whatever the text.
    #[test]
    fn reading_never_panics(text in "(?s).{0,300}", lines in proptest::collection::vec(
        "(framework|question|answer|evidence_kind|evidence_issued|comment|csf2|controls|ctl-mfa|GV.SC-01|yes|2026-01-01|,|\"|\n| |:|-|\\{|\\}|\\[|\\])*", 0..8)) {
        let structured = lines.join("\n");
        for format in FORMATS {
            let _ = read_filled(&text, format, Path::new("x"));
            let _ = read_filled(&structured, format, Path::new("x"));
        }
    }
}
