//! CAP 1.2: the spec examples read in, the negative fixture is refused naming the element,
//! everything written validates against the CAP 1.2 schema (lifeline-xsd, and `xmllint
//! --schema` as an independent check), write -> read round trips, the lifeline mapping.

use std::path::{Path, PathBuf};
use std::process::Command;

use lifeline_cap::*;
use lifeline_share::Tlp;
use lifeline_share::alert::{Alert as LifelineAlert, AlertKind, Named, Shortfall};
use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::datetime;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

fn text(path: &str) -> String {
    std::fs::read_to_string(data(path)).expect("test data")
}

const SPEC: [&str; 4] = [
    "cap/oasis-spec/v1dot2_appendix_adot1.xml",
    "cap/oasis-spec/v1dot2_appendix_adot2.xml",
    "cap/oasis-spec/v1dot2_appendix_adot3.xml",
    "cap/oasis-spec/v1dot2_appendix_adot4.xml",
];

fn lifeline_alert() -> LifelineAlert {
    serde_json::from_str(&text("lifeline/alert.json")).expect("a lifeline alert")
}

fn paths(errors: &CapErrors) -> Vec<&str> {
    errors.errors.iter().map(|e| e.path.as_str()).collect()
}

#[test]
fn every_spec_example_reads_in() {
    for file in SPEC {
        let alert = read(&text(file)).unwrap_or_else(|errors| panic!("{file}:\n{errors}"));
        assert!(!alert.info.is_empty(), "{file}");
    }
    let a2 = read(&text(SPEC[1])).expect("A.2");
    assert_eq!(a2.identifier, "KSTO1055887203");
    assert_eq!(format_date_time(a2.sent), "2003-06-17T14:57:00-07:00");
    let info = &a2.info[0];
    assert_eq!(
        (info.urgency, info.severity, info.certainty),
        (Urgency::Immediate, Severity::Severe, Certainty::Observed)
    );
    assert_eq!(info.response_type, vec![ResponseType::Shelter]);
    assert_eq!(info.area[0].polygon[0].0.len(), 5);
    assert_eq!(info.area[0].geocode.len(), 3);

    let a3 = read(&text(SPEC[2])).expect("A.3");
    assert_eq!(a3.msg_type, MsgType::Update);
    assert_eq!(
        a3.references,
        vec![Reference {
            sender: "trinet@caltech.edu".into(),
            identifier: "TRI13970876.1".into(),
            sent: "2003-06-11T20:30:00-07:00".into(),
        }]
    );
    assert_eq!(a3.info[0].area[0].circle.len(), 1);

    let a4 = read(&text(SPEC[3])).expect("A.4");
    assert_eq!(a4.info.len(), 2);
    assert_eq!(a4.info[1].language.as_deref(), Some("es-US"));
}

#[test]
fn the_negative_fixture_is_refused_naming_the_missing_scope() {
    let errors = read(&text("cap/negative/invalid.cap")).expect_err("scope is missing");
    assert_eq!(paths(&errors), ["alert/scope"], "{errors}");
    assert!(errors.to_string().contains("missing"), "{errors}");
    // The schema alone refuses it too, at the element where `scope` was due.
    let schema = schema_check(&text("cap/negative/invalid.cap")).expect_err("schema-invalid");
    assert_eq!(paths(&schema), ["alert/info[1]"], "{schema}");
    assert!(schema.to_string().contains("scope"), "{schema}");
}

#[test]
fn spec_examples_round_trip_and_what_is_written_validates() {
    for file in SPEC {
        let alert = read(&text(file)).expect("reads");
        let written = write(&alert);
        schema_check(&written).unwrap_or_else(|errors| panic!("{file}:\n{errors}\n{written}"));
        let again = read(&written).unwrap_or_else(|errors| panic!("{file}:\n{errors}"));
        assert_eq!(again, alert, "{file}");
    }
}

/// Lifeline alerts of every kind, TLP and shape of impact.
fn lifeline_variants() -> Vec<LifelineAlert> {
    let base = lifeline_alert();
    let mut out = Vec::new();
    for kind in [
        AlertKind::Alert,
        AlertKind::Update,
        AlertKind::Cancel,
        AlertKind::Drill,
    ] {
        for tlp in Tlp::ALL {
            let mut alert = base.clone();
            alert.kind = kind;
            alert.tlp = tlp;
            if kind != AlertKind::Alert {
                alert.supersedes = Some("A-2026-0041-stmarys".into());
            }
            if kind == AlertKind::Drill {
                alert.incident = None;
                alert.affected = Default::default();
                alert.actions.clear();
            }
            out.push(alert);
        }
    }
    let mut bare = base.clone();
    bare.affected = Default::default();
    bare.actions.clear();
    bare.expected_recovery_days = None;
    bare.summary = "x\u{0}\u{1b}[2J & <b>\r\n\u{202e}".into();
    out.push(bare);
    out
}

#[test]
fn every_mapped_lifeline_alert_validates_and_round_trips() {
    for alert in lifeline_variants() {
        for msg_type in [
            None,
            Some(MsgType::Update),
            Some(MsgType::Cancel),
            Some(MsgType::Ack),
        ] {
            let options = MapOptions {
                msg_type,
                sender_name: Some("MedSupply Distribution".into()),
                supersedes_sent: Some(datetime!(2026-12-06 08:00:00 UTC)),
                ..MapOptions::default()
            };
            let cap = from_lifeline(&alert, &options).expect("maps");
            let written = write(&cap);
            schema_check(&written).unwrap_or_else(|errors| {
                panic!("{:?} {msg_type:?}:\n{errors}\n{written}", alert.kind)
            });
            let back = read(&written).unwrap_or_else(|errors| panic!("{errors}\n{written}"));
            if alert.summary.contains('\u{0}') && !back.info.is_empty() {
                // Characters XML cannot carry are written as U+FFFD.
                assert!(
                    back.info[0]
                        .description
                        .as_deref()
                        .unwrap_or("")
                        .contains('\u{FFFD}')
                );
            } else {
                assert_eq!(back, cap, "{written}");
            }
        }
    }
}

#[test]
fn the_mapping_derives_message_type_scope_and_the_three_scales() {
    let alert = lifeline_alert();
    let cap = from_lifeline(&alert, &MapOptions::default()).expect("maps");
    assert_eq!(cap.msg_type, MsgType::Alert);
    assert_eq!(cap.status, Status::Actual);
    // TLP:AMBER goes to the named recipient only.
    assert_eq!(cap.scope, Scope::Private);
    assert_eq!(cap.addresses.as_deref(), Some("stmarys"));
    assert_eq!(format_date_time(cap.sent), "2026-12-06T08:40:12-00:00");
    let info = &cap.info[0];
    // Critical IV saline runs out on day 1.5.
    assert_eq!(info.urgency, Urgency::Immediate);
    assert_eq!(info.severity, Severity::Extreme);
    assert_eq!(info.certainty, Certainty::Observed);
    assert_eq!(
        info.category,
        [Category::Health, Category::Security, Category::Infra]
    );
    assert_eq!(info.response_type, [ResponseType::Prepare]);
    let areas: Vec<&str> = info.area.iter().map(|a| a.area_desc.as_str()).collect();
    assert_eq!(
        areas,
        [
            "Distribution centre North (down)",
            "Warehouse management system (down)",
            "stmarys-main (runs short)",
            "stmarys-annex (runs short)"
        ]
    );
    assert!(
        info.instruction
            .as_deref()
            .unwrap_or("")
            .starts_with("1. Switch IV fluids")
    );

    // Only a later, non-critical stockout: Expected and Severe; forecasts only: Likely.
    let mut later = alert.clone();
    later.affected.items = vec![Shortfall {
        item: "gloves".into(),
        at: "stmarys-main".into(),
        first_stockout_day: Some(5.0),
        critical: false,
    }];
    later.affected.entities.clear();
    let info = &from_lifeline(&later, &MapOptions::default())
        .expect("maps")
        .info[0];
    assert_eq!(
        (info.urgency, info.severity, info.certainty),
        (Urgency::Expected, Severity::Severe, Certainty::Likely)
    );
    // Down, nothing running out: Future, Moderate, Observed.
    let mut down = alert.clone();
    down.affected.items.clear();
    down.affected.entities = vec![Named {
        id: "wms".into(),
        name: "WMS".into(),
    }];
    let info = &from_lifeline(&down, &MapOptions::default())
        .expect("maps")
        .info[0];
    assert_eq!(
        (info.urgency, info.severity, info.certainty),
        (Urgency::Future, Severity::Moderate, Certainty::Observed)
    );

    // A cancellation is all clear; an update references what it supersedes.
    let mut cancel = alert.clone();
    cancel.kind = AlertKind::Cancel;
    cancel.supersedes = Some("A-1".into());
    let options = MapOptions {
        supersedes_sent: Some(datetime!(2026-12-06 07:00:00 +01:00)),
        ..MapOptions::default()
    };
    let cap = from_lifeline(&cancel, &options).expect("maps");
    assert_eq!(cap.msg_type, MsgType::Cancel);
    assert_eq!(cap.info[0].urgency, Urgency::Past);
    assert_eq!(cap.info[0].response_type, [ResponseType::AllClear]);
    assert_eq!(
        cap.references[0].to_string(),
        "medsupply,A-1,2026-12-06T07:00:00+01:00"
    );
    // Without the superseded alert's time, the note says which one.
    let cap = from_lifeline(&cancel, &MapOptions::default()).expect("maps");
    assert!(cap.references.is_empty());
    assert_eq!(cap.note.as_deref(), Some("supersedes lifeline alert A-1"));

    // A drill is an exercise.
    let mut drill = alert.clone();
    drill.kind = AlertKind::Drill;
    let cap = from_lifeline(&drill, &MapOptions::default()).expect("maps");
    assert_eq!(
        (cap.status, cap.msg_type),
        (Status::Exercise, MsgType::Alert)
    );

    // TLP:CLEAR is public, TLP:GREEN restricted with the rule.
    let mut clear = alert.clone();
    clear.tlp = Tlp::Clear;
    assert_eq!(
        from_lifeline(&clear, &MapOptions::default())
            .expect("maps")
            .scope,
        Scope::Public
    );
    clear.tlp = Tlp::Green;
    let cap = from_lifeline(&clear, &MapOptions::default()).expect("maps");
    assert_eq!(cap.scope, Scope::Restricted);
    assert!(
        cap.restriction
            .as_deref()
            .unwrap_or("")
            .starts_with("TLP:GREEN")
    );

    // Ack: the recipient acknowledges the alert, referencing it.
    let ack = from_lifeline(
        &alert,
        &MapOptions {
            msg_type: Some(MsgType::Ack),
            ..MapOptions::default()
        },
    )
    .expect("maps");
    assert_eq!(ack.msg_type, MsgType::Ack);
    assert_eq!(ack.sender, "stmarys");
    assert!(ack.info.is_empty());
    assert_eq!(
        ack.references[0].to_string(),
        "medsupply,A-2026-0042-stmarys,2026-12-06T08:40:12-00:00"
    );
}

#[test]
fn positions_become_circles_and_bad_identifiers_are_refused() {
    let alert = lifeline_alert();
    let mut options = MapOptions::default();
    options.positions.insert(
        "dc-north".into(),
        Point {
            lat: 51.5,
            lon: -0.12,
        },
    );
    let cap = from_lifeline(&alert, &options).expect("maps");
    assert_eq!(cap.info[0].area[0].circle[0].to_string(), "51.5,-0.12 0");
    schema_check(&write(&cap)).expect("valid");

    let mut spaced = alert.clone();
    spaced.id = "an id, with spaces".into();
    let error = from_lifeline(&spaced, &MapOptions::default()).expect_err("refused");
    assert!(error.to_string().contains("identifier"), "{error}");
}

fn must_fail(document: &str) -> CapErrors {
    read(document).expect_err("refused")
}

fn alert_with(info: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>X1</identifier>
  <sender>s@example.org</sender>
  <sent>2026-12-06T10:00:00-00:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  {info}
</alert>"#
    )
}

const INFO_HEAD: &str = "<category>Health</category><event>E</event><urgency>Immediate</urgency><severity>Minor</severity><certainty>Observed</certainty>";

#[test]
fn errors_name_the_element() {
    let errors = must_fail(&alert_with(
        "<info><category>Health</category><event>E</event><urgency>Soon</urgency><severity>Minor</severity><certainty>Observed</certainty></info>",
    ));
    assert_eq!(paths(&errors), ["alert/info[1]/urgency"]);
    assert!(
        errors
            .to_string()
            .contains("`Soon` is not a CAP 1.2 urgency"),
        "{errors}"
    );

    let errors = must_fail(&alert_with(&format!(
        "<info>{INFO_HEAD}</info><info>{INFO_HEAD}<area><areaDesc>A</areaDesc><polygon>1,1 2,2 1,1</polygon></area><area><areaDesc>B</areaDesc><circle>95,0 3</circle></area></info>"
    )));
    assert_eq!(
        paths(&errors),
        [
            "alert/info[2]/area[1]/polygon[1]",
            "alert/info[2]/area[2]/circle[1]"
        ],
        "{errors}"
    );

    let errors = must_fail(&alert_with(&format!(
        "<info>{INFO_HEAD}<headlin>H</headlin></info>"
    )));
    assert_eq!(paths(&errors), ["alert/info[1]/headlin"]);
    assert!(
        errors.to_string().contains("did you mean `headline`"),
        "{errors}"
    );

    // Order is the schema's business: the reader's checks pass, the schema names it.
    let errors = must_fail(&alert_with(
        "<info><event>E</event><category>Health</category><urgency>Immediate</urgency><severity>Minor</severity><certainty>Observed</certainty></info>",
    ));
    assert_eq!(paths(&errors), ["alert/info[1]/event"], "{errors}");
    assert!(errors.to_string().contains("CAP 1.2 XSD"), "{errors}");

    // Prose rules of section 3.2.1.
    let private = alert_with("").replace("<scope>Public</scope>", "<scope>Private</scope>");
    assert_eq!(paths(&must_fail(&private)), ["alert/addresses"]);
    let spaced = alert_with("").replace("<identifier>X1", "<identifier>X 1");
    assert_eq!(paths(&must_fail(&spaced)), ["alert/identifier"]);
    let zulu = alert_with("").replace("10:00:00-00:00", "10:00:00Z");
    assert_eq!(paths(&must_fail(&zulu)), ["alert/sent"]);
    let references = alert_with("").replace(
        "<scope>Public</scope>",
        "<scope>Public</scope><references>a,b</references>",
    );
    assert_eq!(paths(&must_fail(&references)), ["alert/references"]);
}

#[test]
fn hostile_documents_are_refused_without_harm() {
    let entity = r#"<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier></alert>"#;
    let errors = must_fail(entity);
    assert_eq!(paths(&errors), ["alert/identifier"], "{errors}");
    assert!(errors.to_string().contains("no DTD"), "{errors}");

    let deep = format!(
        r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">{}{}</alert>"#,
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    assert!(must_fail(&deep).to_string().contains("nested deeper"));
    assert!(!must_fail("not xml").errors.is_empty());
    assert!(!must_fail("").errors.is_empty());
    let other = r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"/>"#;
    assert!(must_fail(other).to_string().contains("cap:1.2"));
    let unclosed = r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info>"#;
    assert_eq!(paths(&must_fail(unclosed)), ["alert/info"]);
}

#[test]
fn edxl_distributions_read_and_write() {
    let distribution =
        read_edxl(&text("edxl/bushfire_valid.edxlde")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(distribution.alerts.len(), 7);
    assert!(
        distribution
            .alerts
            .iter()
            .all(|alert| alert.info.len() == 1)
    );
    assert_eq!(
        detect(&text("edxl/bushfire_valid.edxlde")),
        Some(DocumentKind::Edxl)
    );
    assert_eq!(detect(&text(SPEC[0])), Some(DocumentKind::Cap));

    let alerts: Vec<Alert> = lifeline_variants()
        .iter()
        .take(5)
        .map(|alert| from_lifeline(alert, &MapOptions::default()).expect("maps"))
        .collect();
    let ours = Distribution {
        distribution_id: "D-1".into(),
        sender_id: "medsupply".into(),
        date_time_sent: datetime!(2026-12-06 09:00:00 UTC),
        status: edxl::DistributionStatus::Actual,
        distribution_type: edxl::DistributionType::Report,
        combined_confidentiality: "TLP:AMBER".into(),
        language: Some("en".into()),
        alerts,
    };
    let written = write_edxl(&ours);
    let back = read_edxl(&written).unwrap_or_else(|e| panic!("{e}\n{written}"));
    assert_eq!(back, ours);

    // A broken alert inside the envelope is named down to its element.
    let broken = written.replacen("<urgency>Immediate</urgency>", "<urgency>Now</urgency>", 1);
    let errors = read_edxl(&broken).expect_err("refused");
    assert_eq!(
        paths(&errors),
        [
            "EDXLDistribution/contentObject[1]/xmlContent/embeddedXMLContent[1]/alert/info[1]/urgency"
        ],
        "{errors}"
    );
}

/// Runs `xmllint --noout --schema XSD FILE`: `Ok(valid)`, or why it could not run.
fn xmllint(xsd: &Path, document: &str) -> bool {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), document).expect("write temp file");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(xsd)
        .arg(file.path())
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "xmllint could not run ({error}): install Debian's libxml2-utils (`apt-get install libxml2-utils`) to run this cross-check"
            )
        });
    output.status.success()
}

#[test]
fn xmllint_agrees_with_lifeline_xsd() {
    let xsd =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../lifeline-xsd/schemas/cap/CAP-v1.2.xsd");
    let mut documents: Vec<(String, String)> = SPEC
        .iter()
        .map(|file| ((*file).to_owned(), text(file)))
        .collect();
    documents.push(("negative".into(), text("cap/negative/invalid.cap")));
    for (at, alert) in lifeline_variants().iter().enumerate() {
        let cap = from_lifeline(alert, &MapOptions::default()).expect("maps");
        documents.push((format!("lifeline variant {at}"), write(&cap)));
    }
    let disordered = alert_with(
        "<info><event>E</event><category>Health</category><urgency>Immediate</urgency><severity>Minor</severity><certainty>Observed</certainty></info>",
    );
    documents.push(("disordered".into(), disordered));
    for (name, document) in &documents {
        let ours = schema_check(document).is_ok();
        let theirs = xmllint(&xsd, document);
        assert_eq!(
            ours, theirs,
            "{name}: lifeline-xsd says {ours}, xmllint {theirs}"
        );
        let expected = !(name == "negative" || name == "disordered");
        assert_eq!(ours, expected, "{name}");
    }
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9.@:_-]{1,16}"
}

fn words() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 &<>'\"\t\n\r\u{e9}\u{202e}\u{1F600}]{0,24}"
}

fn when() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..4_000_000_000, -720i32..=840).prop_map(|(seconds, minutes)| {
        let offset = time::UtcOffset::from_whole_seconds((minutes / 15) * 15 * 60)
            .unwrap_or(time::UtcOffset::UTC);
        OffsetDateTime::from_unix_timestamp(seconds)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(offset)
    })
}

fn point() -> impl Strategy<Value = Point> {
    (-90.0f64..=90.0, -180.0f64..=180.0).prop_map(|(lat, lon)| Point { lat, lon })
}

fn area() -> impl Strategy<Value = Area> {
    (
        words(),
        prop::collection::vec(point(), 3..6),
        prop::option::of((point(), 0.0f64..500.0)),
        prop::collection::vec((token(), words()), 0..3),
        prop::option::of((-1000.0f64..30000.0, prop::option::of(0.0f64..60000.0))),
    )
        .prop_map(|(desc, mut points, circle, geocodes, altitude)| {
            points.push(points[0]);
            let mut area = Area::new(desc);
            area.polygon.push(Polygon(points));
            area.circle
                .extend(circle.map(|(center, radius_km)| Circle { center, radius_km }));
            area.geocode = geocodes
                .into_iter()
                .map(|(n, v)| ValuePair::new(n, v))
                .collect();
            if let Some((altitude, ceiling)) = altitude {
                area.altitude = Some(altitude);
                area.ceiling = ceiling;
            }
            area
        })
}

fn info() -> impl Strategy<Value = Info> {
    (
        prop::sample::subsequence(Category::ALL.to_vec(), 1..3),
        words(),
        prop::sample::subsequence(ResponseType::ALL.to_vec(), 0..2),
        prop::sample::select(Urgency::ALL.to_vec()),
        prop::sample::select(Severity::ALL.to_vec()),
        prop::sample::select(Certainty::ALL.to_vec()),
        prop::option::of(when()),
        prop::option::of(words()),
        prop::collection::vec((token(), words()), 0..3),
        prop::collection::vec(area(), 0..3),
        prop::option::of(prop::sample::select(vec!["en-US", "es-US", "fr-CA", "de"])),
        prop::option::of((words(), token(), prop::option::of(0u64..1_000_000))),
    )
        .prop_map(
            |(
                category,
                event,
                response,
                urgency,
                severity,
                certainty,
                expires,
                description,
                parameters,
                areas,
                language,
                resource,
            )| {
                let mut info = Info::new(Category::Other, event, urgency, severity, certainty);
                info.category = category;
                info.response_type = response;
                info.expires = expires;
                info.description = description;
                info.language = language.map(str::to_owned);
                info.parameter = parameters
                    .into_iter()
                    .map(|(n, v)| ValuePair::new(n, v))
                    .collect();
                info.area = areas;
                info.resource = resource
                    .map(|(desc, mime, size)| Resource {
                        resource_desc: desc,
                        mime_type: mime,
                        size,
                        uri: Some("https://example.org/map.png".into()),
                        deref_uri: None,
                        digest: None,
                    })
                    .into_iter()
                    .collect();
                info
            },
        )
}

fn cap_alert() -> impl Strategy<Value = Alert> {
    (
        (token(), token(), when()),
        prop::sample::select(Status::ALL.to_vec()),
        prop::sample::select(MsgType::ALL.to_vec()),
        prop::sample::select(Scope::ALL.to_vec()),
        prop::option::of(words()),
        prop::collection::vec((token(), token(), when()), 0..3),
        prop::collection::vec(words(), 0..2),
        prop::collection::vec(info(), 0..3),
    )
        .prop_map(
            |(
                (identifier, sender, sent),
                status,
                msg_type,
                scope,
                note,
                references,
                code,
                info,
            )| Alert {
                identifier,
                sender,
                sent,
                status,
                msg_type,
                source: None,
                scope,
                restriction: (scope == Scope::Restricted).then(|| "coalition members".to_owned()),
                addresses: (scope == Scope::Private).then(|| "stmarys medsupply".to_owned()),
                code,
                note,
                references: references
                    .into_iter()
                    .map(|(sender, identifier, sent)| Reference {
                        sender,
                        identifier,
                        sent: format_date_time(sent),
                    })
                    .collect(),
                incidents: None,
                info,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn write_then_read_is_the_identity_and_always_schema_valid(alert in cap_alert()) {
        let written = write(&alert);
        if let Err(errors) = schema_check(&written) {
            return Err(TestCaseError::fail(format!("{errors}\n{written}")));
        }
        match read(&written) {
            Ok(back) => prop_assert_eq!(back, alert),
            Err(errors) => return Err(TestCaseError::fail(format!("{errors}\n{written}"))),
        }
    }

    #[test]
    fn reading_any_text_never_panics(text in "\\PC{0,200}") {
        let _ = read(&text);
        let _ = read_edxl(&text);
    }

    /// The spec examples and the EDXL-DE distribution with a stretch cut out and other text
    /// put in: read gives the model or errors that name something, never a panic, and what
    /// reads in writes out and reads back to the same alert.
    #[test]
    fn mutated_documents_read_or_fail_cleanly(
        file in prop::sample::select(vec![SPEC[0], SPEC[1], SPEC[2], SPEC[3], "edxl/bushfire_valid.edxlde"]),
        at in 0usize..20_000,
        cut in 0usize..12,
        insert in prop::sample::select(vec!["", "<", "&", "&amp;", "<info>", "</area>", "Unknown", "-", ",", " ", "\u{0}", "&#0;", "é", "<![CDATA[x]]>", "<!--c-->", "]]>", "&lt;"]),
    ) {
        let original = text(file);
        let mut start = at % original.len().max(1);
        while !original.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + cut).min(original.len());
        while !original.is_char_boundary(end) {
            end += 1;
        }
        let mutated = format!("{}{insert}{}", &original[..start], &original[end..]);
        match read(&mutated) {
            Ok(alert) => {
                let again = read(&write(&alert));
                prop_assert_eq!(again, Ok(alert));
            }
            Err(errors) => prop_assert!(errors.errors.iter().all(|e| !e.message.is_empty())),
        }
        if let Err(errors) = read_edxl(&mutated) {
            prop_assert!(!errors.errors.is_empty());
        }
    }
}
