//! `lifeline share export|import` end to end on a fresh SQLite database: the bundle of a
//! declared incident is valid to stix2-validator, stable across exports, refused for a
//! partner whose clearance or the marking forbids it (nothing written), and imports with
//! its markings; a forged TLP marking is refused; `--collection` stores into a TAXII
//! collection.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{check_db, declare_dcs_down, repo, stderr, stdout};

const DIRECTORY: &str = "examples/partners/distributor-ransomware.yaml";
const SCAN: &str = "examples/sbom/orderline-commerce-7.2.scan.json";

struct Db {
    dir: tempfile::TempDir,
}

impl Db {
    fn new() -> Db {
        Db {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("lifeline.db").display())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn check(&self, args: &[&str], code: i32) -> (String, String) {
        check_db(&self.url(), args, code)
    }

    /// Declares the distribution centres down; returns the incident's id.
    fn declare(&self) -> String {
        declare_dcs_down(
            &self.url(),
            &[
                "--title",
                "MedSupply distribution centres down",
                "--at",
                "2026-12-06T08:00:00Z",
            ],
        )
        .1
    }
}

fn indicators(db: &Db) -> PathBuf {
    let path = db.path("indicators.json");
    std::fs::write(
        &path,
        serde_json::json!({
            "indicators": [{
                "name": "Ransomware C2",
                "pattern": "[ipv4-addr:value = '203.0.113.9']",
                "valid_from": "2026-12-06T07:00:00Z"
            }],
            "observed": [{
                "first_observed": "2026-12-06T06:00:00Z",
                "last_observed": "2026-12-06T07:30:00Z",
                "number_observed": 3,
                "objects": [{"type": "ipv4-addr", "value": "203.0.113.9"}]
            }]
        })
        .to_string(),
    )
    .expect("write");
    path
}

/// stix2-validator (PyPI) through tools/stix-validate.py: the file must be valid with no
/// warning but the UUIDv4 one lifeline's deterministic ids draw.
fn stix2_validator(path: &Path) {
    let output = Command::new("python3")
        .arg(repo().join("tools/stix-validate.py"))
        .args(["--no-warnings", "--uuid5"])
        .arg(path)
        .output()
        .expect("python3 runs tools/stix-validate.py (install Python 3)");
    match output.status.code() {
        Some(0) => {}
        Some(2) => panic!(
            "stix2-validator is not available: `pip install stix2-validator`\n{}",
            stderr(&output)
        ),
        _ => panic!(
            "stix2-validator finds {} invalid:\n{}",
            path.display(),
            stdout(&output)
        ),
    }
}

#[test]
fn export_validates_is_stable_and_imports_with_its_markings() {
    let db = Db::new();
    let id = db.declare();
    let first = db.path("first.json");
    let indicators = indicators(&db);
    let indicators = indicators.to_str().expect("UTF-8");
    let export = |out: &Path| {
        db.check(
            &[
                "share",
                "export",
                &id,
                "--format",
                "stix",
                "--tlp",
                "green",
                "--findings",
                SCAN,
                "--indicators",
                indicators,
                "--directory",
                DIRECTORY,
                "--output",
                out.to_str().expect("UTF-8"),
            ],
            0,
        )
    };
    let (_, err) = export(&first);
    assert!(err.contains("marked TLP:GREEN"), "{err}");
    stix2_validator(&first);
    let text = std::fs::read_to_string(&first).expect("written");
    let bundle: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let identity = bundle["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .find(|o| o["type"] == "identity")
        .expect("an identity");
    assert_eq!(identity["name"], "MedSupply (fictional major distributor)");

    // The same timeline, the same bundle; a later entry, new versions of the same objects.
    let second = db.path("second.json");
    export(&second);
    assert_eq!(std::fs::read_to_string(&second).expect("written"), text);
    db.check(
        &[
            "incident",
            "note",
            &id,
            "isolated",
            "--at",
            "2026-12-06T09:00:00Z",
        ],
        0,
    );
    let third = db.path("third.json");
    export(&third);
    let later: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&third).expect("written")).expect("JSON");
    assert_ne!(later["id"], bundle["id"]);
    assert_eq!(later["objects"][2]["id"], bundle["objects"][2]["id"]);
    assert_eq!(later["objects"][2]["modified"], "2026-12-06T09:00:00.000Z");

    let (out, _) = db.check(&["share", "import", first.to_str().expect("UTF-8")], 0);
    assert!(out.contains("valid:"), "{out}");
    assert!(out.contains("defines TLP:GREEN"), "{out}");
    assert!(
        out.contains("vulnerability") && out.contains("TLP:GREEN"),
        "{out}"
    );
    let (json, _) = db.check(
        &[
            "share",
            "import",
            first.to_str().expect("UTF-8"),
            "--format",
            "json",
        ],
        0,
    );
    let summary: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(summary["bundle"], bundle["id"]);
    let objects = summary["objects"].as_array().expect("objects");
    assert_eq!(
        objects.len(),
        bundle["objects"].as_array().expect("objects").len()
    );
    assert!(
        objects
            .iter()
            .filter(|o| o["type"] != "marking-definition")
            .all(|o| o["tlp"] == "green")
    );
}

#[test]
fn tlp_refusals_write_nothing() {
    let db = Db::new();
    let id = db.declare();
    let out = db.path("out.json");
    let out_arg = out.to_str().expect("UTF-8");
    for (tlp, to, reason) in [
        // asc-northside is cleared for green only.
        ("amber", "asc-northside", "cleared for TLP:GREEN only"),
        // AMBER+STRICT never leaves medsupply, whatever the clearance.
        ("amber+strict", "hosp-mercy", "never leaves medsupply"),
        // hosp-mercy is cleared for amber: RED is above it even when named.
        ("red", "hosp-mercy", "below the marking TLP:RED"),
    ] {
        let (_, err) = db.check(
            &[
                "share",
                "export",
                &id,
                "--tlp",
                tlp,
                "--to",
                to,
                "--directory",
                DIRECTORY,
                "--output",
                out_arg,
            ],
            2,
        );
        assert!(err.contains(reason), "{tlp} to {to}: {err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert!(!out.exists(), "{tlp} to {to} wrote the bundle");
    }
    // Cleared: written.
    db.check(
        &[
            "share",
            "export",
            &id,
            "--tlp",
            "amber",
            "--to",
            "hosp-mercy",
            "--directory",
            DIRECTORY,
            "--output",
            out_arg,
        ],
        0,
    );
    assert!(out.exists());
    let (_, err) = db.check(
        &[
            "share",
            "export",
            &id,
            "--to",
            "nobody",
            "--directory",
            DIRECTORY,
        ],
        2,
    );
    assert!(err.contains("no organisation `nobody`"), "{err}");
    db.check(&["share", "export", &id, "--tlp", "purple"], 2);
}

#[test]
fn a_forged_tlp_marking_and_a_broken_bundle_are_refused() {
    let db = Db::new();
    let id = db.declare();
    let (text, _) = db.check(&["share", "export", &id, "--tlp", "red"], 0);
    let mut bundle: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    bundle["objects"][0]["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"]
        ["tlp_2_0"] = serde_json::json!("clear");
    let forged = db.path("forged.json");
    std::fs::write(&forged, bundle.to_string()).expect("write");
    let (_, err) = db.check(&["share", "import", forged.to_str().expect("UTF-8")], 2);
    assert!(
        err.contains("objects[0]") && err.contains("forged TLP marking"),
        "{err}"
    );

    bundle["objects"][0] = serde_json::json!(
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON")["objects"][0]
    );
    bundle["objects"][2]["created"] = serde_json::json!("\u{1b}[31mlast week");
    std::fs::write(&forged, bundle.to_string()).expect("write");
    let (_, err) = db.check(&["share", "import", forged.to_str().expect("UTF-8")], 2);
    assert!(err.contains("objects[2].created"), "{err}");
    assert!(!err.contains('\u{1b}'), "escaped: {err}");
}

#[test]
fn import_stores_into_a_taxii_collection() {
    let db = Db::new();
    let id = db.declare();
    let bundle = db.path("bundle.json");
    db.check(
        &[
            "share",
            "export",
            &id,
            "--tlp",
            "green",
            "--output",
            bundle.to_str().expect("UTF-8"),
        ],
        0,
    );
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let collection = runtime.block_on(async {
        let store = lifeline_store::Store::open(&db.url()).await.expect("opens");
        let org = store
            .org_by_name("local")
            .await
            .expect("reads")
            .expect("the local organisation");
        let id = store
            .create_collection(
                &org.id,
                &lifeline_store::NewCollection {
                    title: "ISAC feed".into(),
                    description: None,
                    grants: Vec::new(),
                },
                "ana",
            )
            .await
            .expect("a collection");
        store.close().await;
        id
    });
    let (out, _) = db.check(
        &[
            "share",
            "import",
            bundle.to_str().expect("UTF-8"),
            "--collection",
            &collection,
        ],
        0,
    );
    assert!(
        out.contains(&format!("stored into collection {collection}")),
        "{out}"
    );
    assert!(out.contains("0 failed"), "{out}");
    let (_, err) = db.check(
        &[
            "share",
            "import",
            bundle.to_str().expect("UTF-8"),
            "--collection",
            "no-such",
        ],
        2,
    );
    assert!(err.contains("--collection no-such"), "{err}");
}
