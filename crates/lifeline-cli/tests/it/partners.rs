//! `lifeline partners`, `keys` and `notify sign|verify`: the example directory is valid,
//! keys are published and private keys kept private, and every verification failure
//! exits 2 with its reason and prints nothing as trusted.

use std::path::{Path, PathBuf};

use crate::{check, exited, lifeline_in, repo};

const DIRECTORY: &str = "examples/partners/distributor-ransomware.yaml";
const ALERT: &str = "examples/partners/alert-to-mercy.json";
const TOKEN: &str = "examples/partners/alert-to-mercy.jws";
const MEDSUPPLY_KEY: &str = "examples/partners/keys/medsupply-2026-a.jwk";
/// Within the example alert's validity.
const AT: &str = "2026-03-02T08:10:00Z";

/// A temporary folder holding a copy of the example directory.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let directory = folder.path().join("partners.yaml");
    std::fs::copy(repo().join(DIRECTORY), &directory).expect("copy the directory");
    (folder, directory)
}

fn run_in(folder: &Path, args: &[&str], code: i32) -> (String, String) {
    exited(&lifeline_in(folder, args), args, code)
}

#[test]
fn the_example_directory_is_valid_against_its_network_and_register() {
    let (out, err) = check(
        &[
            "partners",
            "validate",
            DIRECTORY,
            "--network",
            "examples/distributor-ransomware.json",
            "--vendors",
            "examples/distributor-ransomware.vendors.json",
        ],
        0,
    );
    assert!(
        out.starts_with(&format!(
            "{DIRECTORY}: valid: organisations 9, contacts 14, channels 27, keys 4"
        )),
        "{out}"
    );
    assert!(out.ends_with("; kept by medsupply\n"), "{out}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn an_invalid_directory_exits_2_naming_each_field() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("bad.json");
    std::fs::write(
        &path,
        r#"{"format": "lifeline-partners/1", "organisation": "a", "organisations": [
            {"id": "a", "name": "A", "kind": "hospital", "clearance": "amber", "contacts": [
              {"id": "c", "name": "C", "role": "duty", "escalation": 1,
               "channels": [{"email": "c@example.org"}, {"webhook": "http://example.org/x"}]}]}]}"#,
    )
    .expect("write");
    let (out, _) = run_in(folder.path(), &["partners", "validate", "bad.json"], 2);
    assert!(
        out.contains("error: organisations[0].contacts[0].channels[1].webhook: `http://example.org/x` is not a usable webhook URL: only `https://` is allowed"),
        "{out}"
    );
    assert!(out.ends_with("bad.json: invalid: 1 error(s)\n"), "{out}");
    let (out, _) = run_in(
        folder.path(),
        &["partners", "validate", "bad.json", "--format", "json"],
        2,
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(report["valid"], false);
    assert_eq!(
        report["diagnostics"][0]["path"],
        "organisations[0].contacts[0].channels[1].webhook"
    );
}

#[test]
fn export_writes_a_normalised_copy_that_reads_back() {
    let (folder, _) = workspace();
    for (format, name) in [("json", "copy.json"), ("yaml", "copy.yaml")] {
        run_in(
            folder.path(),
            &[
                "partners",
                "export",
                "partners.yaml",
                "--format",
                format,
                "-o",
                name,
            ],
            0,
        );
        let (out, _) = run_in(folder.path(), &["partners", "validate", name], 0);
        assert!(out.contains("valid: organisations 9"), "{out}");
    }
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(folder.path().join("copy.json")).expect("read"),
    )
    .expect("JSON");
    assert_eq!(json["format"], "lifeline-partners/1");
    assert_eq!(
        json["organisations"][2]["contacts"][0]["channels"][1]["webhook"],
        "http://127.0.0.1:8701/mercy/materials"
    );
}

#[test]
fn keys_generate_rotate_revoke() {
    let (folder, _) = workspace();
    let dir = folder.path();
    let (out, err) = run_in(
        dir,
        &[
            "keys",
            "generate",
            "--directory",
            "partners.yaml",
            "--org",
            "hosp-valley",
            "--id",
            "v1",
            "--out",
            "valley.jwk",
            "--at",
            "2026-02-01T00:00:00Z",
        ],
        0,
    );
    assert_eq!(out, "hosp-valley/v1\n");
    assert!(err.contains("published key `hosp-valley/v1`"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("valley.jwk"))
            .expect("jwk")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("valley.jwk")).expect("read"))
            .expect("JSON");
    assert_eq!(
        (jwk["kty"].as_str(), jwk["crv"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    assert_eq!(jwk["kid"], "hosp-valley/v1");
    // Never overwrites a private key; the directory is left as it was.
    let before = std::fs::read_to_string(dir.join("partners.yaml")).expect("read");
    let (_, err) = run_in(
        dir,
        &[
            "keys",
            "generate",
            "--directory",
            "partners.yaml",
            "--org",
            "hosp-valley",
            "--out",
            "valley.jwk",
        ],
        2,
    );
    assert!(err.contains("never overwritten"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("partners.yaml")).expect("read"),
        before
    );
    // Unknown organisation.
    let (_, err) = run_in(
        dir,
        &[
            "keys",
            "generate",
            "--directory",
            "partners.yaml",
            "--org",
            "nobody",
            "--out",
            "x.jwk",
        ],
        2,
    );
    assert!(err.contains("`nobody` is not in"), "{err}");
    assert!(!dir.join("x.jwk").exists());
    // Rotate: the new key now, the old one ends after the overlap.
    run_in(
        dir,
        &[
            "keys",
            "rotate",
            "--directory",
            "partners.yaml",
            "--org",
            "hosp-valley",
            "--id",
            "v2",
            "--out",
            "valley2.jwk",
            "--overlap",
            "2d",
            "--at",
            "2026-03-01T00:00:00Z",
        ],
        0,
    );
    let (out, _) = run_in(
        dir,
        &[
            "keys",
            "list",
            "--directory",
            "partners.yaml",
            "--at",
            "2026-03-04T00:00:00Z",
        ],
        0,
    );
    let line = |kid: &str| {
        out.lines()
            .find(|l| l.starts_with(kid))
            .unwrap_or_else(|| panic!("{kid} in\n{out}"))
            .to_owned()
    };
    assert!(line("hosp-valley/v1 ").contains("ended"), "{out}");
    assert!(
        line("hosp-valley/v1 ").contains("2026-03-03T00:00:00Z"),
        "{out}"
    );
    assert!(line("hosp-valley/v2 ").contains("valid"), "{out}");
    run_in(
        dir,
        &[
            "keys",
            "revoke",
            "--directory",
            "partners.yaml",
            "--org",
            "hosp-valley",
            "--key",
            "v2",
            "--reason",
            "laptop stolen",
            "--at",
            "2026-03-05T00:00:00Z",
        ],
        0,
    );
    let (out, _) = run_in(
        dir,
        &[
            "keys",
            "list",
            "--directory",
            "partners.yaml",
            "--at",
            "2026-03-06T00:00:00Z",
        ],
        0,
    );
    assert!(
        out.contains("revoked") && out.contains("laptop stolen"),
        "{out}"
    );
    run_in(dir, &["partners", "validate", "partners.yaml"], 0);
}

#[test]
fn signing_the_example_alert_gives_the_example_token_byte_for_byte() {
    // Ed25519 signatures are deterministic (RFC 8032), and so is the payload's JSON.
    let (out, err) = check(&["notify", "sign", ALERT, "--key", MEDSUPPLY_KEY], 0);
    let committed = std::fs::read_to_string(repo().join(TOKEN)).expect("token");
    assert_eq!(out, committed);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_valid_alert_says_who_signed_it() {
    let (out, err) = check(
        &[
            "notify",
            "verify",
            TOKEN,
            "--directory",
            DIRECTORY,
            "--as",
            "hosp-mercy",
            "--at",
            AT,
        ],
        0,
    );
    assert!(
        out.starts_with("valid: signed by MedSupply (fictional major distributor) (medsupply) with key medsupply/2026-a\n"),
        "{out}"
    );
    assert!(
        out.contains("short: iv-cath at iv-cath@hosp-mercy, first stockout day 4 (critical)"),
        "{out}"
    );
    assert!(err.contains("no --seen file"), "{err}");
    let (out, _) = check(
        &[
            "notify",
            "verify",
            TOKEN,
            "--directory",
            DIRECTORY,
            "--as",
            "hosp-mercy",
            "--at",
            AT,
            "--format",
            "json",
        ],
        0,
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(report["valid"], true);
    assert_eq!(report["signer"], "medsupply");
    assert_eq!(report["payload"]["recipient"], "hosp-mercy");
}

/// Runs `notify verify` expecting a refusal: exit 2, the code and reason on stderr, and
/// nothing of the message on stdout.
fn refused(folder: &Path, token: &str, extra: &[&str], code: &str) -> String {
    let directory = repo().join(DIRECTORY);
    let directory = directory.to_str().expect("path");
    let mut args = vec![
        "notify",
        "verify",
        token,
        "--directory",
        directory,
        "--as",
        "hosp-mercy",
    ];
    args.extend_from_slice(extra);
    let (out, err) = run_in(folder, &args, 2);
    assert!(out.is_empty(), "a refused message printed:\n{out}");
    assert!(err.contains("is NOT trusted"), "{err}");
    assert!(
        err.contains(&format!("[{code}]")),
        "expected {code}:\n{err}"
    );
    err
}

#[test]
fn every_failure_exits_2_with_its_reason() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let dir = folder.path();
    let token = std::fs::read_to_string(repo().join(TOKEN)).expect("token");
    let token = token.trim();
    // Expired.
    std::fs::write(dir.join("alert.jws"), token).expect("write");
    let err = refused(
        dir,
        "alert.jws",
        &["--at", "2026-03-06T00:00:00Z"],
        "expired",
    );
    assert!(err.contains("expired at 2026-03-05T08:05:00Z"), "{err}");
    // Not yet valid.
    refused(
        dir,
        "alert.jws",
        &["--at", "2026-03-02T07:00:00Z"],
        "not-yet-valid",
    );
    // One flipped character in the payload.
    let mut bytes = token.as_bytes().to_vec();
    let at = token.find('.').expect("dot") + 20;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(dir.join("flipped.jws"), &bytes).expect("write");
    let err = refused(dir, "flipped.jws", &["--at", AT], "tampered");
    assert!(err.contains("signature does not match"), "{err}");
    // Garbage.
    std::fs::write(dir.join("junk.jws"), "not a token").expect("write");
    refused(dir, "junk.jws", &["--at", AT], "malformed");
    // Replayed: the second reading of the same message.
    let seen = dir.join("seen.jsonl");
    let seen = seen.to_str().expect("path");
    let directory = repo().join(DIRECTORY);
    let args = [
        "notify",
        "verify",
        "alert.jws",
        "--directory",
        directory.to_str().expect("path"),
        "--as",
        "hosp-mercy",
        "--at",
        AT,
        "--seen",
        seen,
    ];
    run_in(dir, &args, 0);
    refused(dir, "alert.jws", &["--at", AT, "--seen", seen], "replayed");
    // Addressed to someone else.
    let (out, err) = run_in(
        dir,
        &[
            "notify",
            "verify",
            "alert.jws",
            "--directory",
            directory.to_str().expect("path"),
            "--at",
            AT,
        ],
        2,
    );
    assert!(out.is_empty() && err.contains("[wrong-recipient]"), "{err}");
    // JSON: the failure, never the payload.
    let (out, _) = run_in(
        dir,
        &[
            "notify",
            "verify",
            "flipped.jws",
            "--directory",
            directory.to_str().expect("path"),
            "--as",
            "hosp-mercy",
            "--at",
            AT,
            "--format",
            "json",
        ],
        2,
    );
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(report["valid"], false);
    assert_eq!(report["code"], "tampered");
    assert!(report.get("payload").is_none());
}

#[test]
fn revoked_unknown_and_impostor_keys_are_refused() {
    let (folder, directory) = workspace();
    let dir = folder.path();
    let token = repo().join(TOKEN);
    let token = token.to_str().expect("path");
    let verify = |code: i32| {
        run_in(
            dir,
            &[
                "notify",
                "verify",
                token,
                "--directory",
                "partners.yaml",
                "--as",
                "hosp-mercy",
                "--at",
                AT,
            ],
            code,
        )
    };
    verify(0);
    // Revoked before the alert was signed.
    run_in(
        dir,
        &[
            "keys",
            "revoke",
            "--directory",
            "partners.yaml",
            "--org",
            "medsupply",
            "--key",
            "2026-a",
            "--reason",
            "key file leaked",
            "--at",
            "2026-03-01T00:00:00Z",
        ],
        0,
    );
    let (_, err) = verify(2);
    assert!(
        err.contains("[revoked-key]") && err.contains("key file leaked"),
        "{err}"
    );
    assert!(err.contains("signed at or after the revocation"), "{err}");
    // The key removed from the directory: unknown.
    std::fs::copy(repo().join(DIRECTORY), &directory).expect("copy");
    let text = std::fs::read_to_string(&directory).expect("read");
    std::fs::write(
        &directory,
        text.replace("id: 2026-a\n    x: eGW", "id: 2026-z\n    x: eGW"),
    )
    .expect("write");
    let (_, err) = verify(2);
    assert!(err.contains("[unknown-key]"), "{err}");
    // Someone else's key under MedSupply's name: the signature fails.
    std::fs::copy(repo().join(DIRECTORY), &directory).expect("copy");
    run_in(
        dir,
        &[
            "keys",
            "generate",
            "--directory",
            "partners.yaml",
            "--org",
            "health-isac",
            "--id",
            "x",
            "--out",
            "isac.jwk",
            "--at",
            "2026-01-01T00:00:00Z",
        ],
        0,
    );
    let mut jwk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("isac.jwk")).expect("read"))
            .expect("JSON");
    jwk["kid"] = "medsupply/2026-a".into();
    jwk.as_object_mut().expect("object").remove("x");
    std::fs::write(dir.join("impostor.jwk"), jwk.to_string()).expect("write");
    let alert = repo().join(ALERT);
    let (forged, _) = run_in(
        dir,
        &[
            "notify",
            "sign",
            alert.to_str().expect("path"),
            "--key",
            "impostor.jwk",
        ],
        0,
    );
    std::fs::write(dir.join("forged.jws"), forged).expect("write");
    let (out, err) = run_in(
        dir,
        &[
            "notify",
            "verify",
            "forged.jws",
            "--directory",
            "partners.yaml",
            "--as",
            "hosp-mercy",
            "--at",
            AT,
        ],
        2,
    );
    assert!(out.is_empty() && err.contains("[tampered]"), "{err}");
    // Signing as another organisation than the key's is refused outright.
    let (_, err) = run_in(
        dir,
        &[
            "notify",
            "sign",
            alert.to_str().expect("path"),
            "--key",
            "isac.jwk",
        ],
        2,
    );
    assert!(
        err.contains("the payload's `issuer` is `medsupply` but the key belongs to `health-isac`"),
        "{err}"
    );
}

#[test]
fn sign_fills_the_nonce_and_times_of_a_hand_written_payload() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let dir = folder.path();
    std::fs::write(
        dir.join("ack.json"),
        r#"{"type": "lifeline-ack/1", "alert": "inc-2026-014/hosp-mercy/1", "issuer": "hosp-mercy",
            "recipient": "medsupply", "contact": "materials", "note": "Received; ordering IV catheters elsewhere"}"#,
    )
    .expect("write");
    let key = repo().join("examples/partners/keys/hosp-mercy-2026-a.jwk");
    let (token, err) = run_in(
        dir,
        &[
            "notify",
            "sign",
            "ack.json",
            "--key",
            key.to_str().expect("path"),
            "--at",
            "2026-03-02T08:12:00Z",
            "-o",
            "ack.jws",
        ],
        0,
    );
    assert!(token.is_empty());
    for field in ["issued_at", "nonce", "expires_at"] {
        assert!(err.contains(&format!("filled in `{field}`")), "{err}");
    }
    // The distributor (the directory's keeper) verifies the acknowledgement.
    let directory = repo().join(DIRECTORY);
    let (out, _) = run_in(
        dir,
        &[
            "notify",
            "verify",
            "ack.jws",
            "--directory",
            directory.to_str().expect("path"),
            "--at",
            "2026-03-02T08:13:00Z",
        ],
        0,
    );
    assert!(out.starts_with("valid: signed by Mercy General Hospital (fictional) (hosp-mercy) with key hosp-mercy/2026-a\nacknowledgement of alert inc-2026-014/hosp-mercy/1 from hosp-mercy (materials) to medsupply\n"), "{out}");
}
