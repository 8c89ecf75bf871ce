//! Signing and verifying alerts, one thread (issue 17: at least 20,000 per second each).
//!
//! The alert is `examples/partners/alert-to-mercy.json` (two entities down, three items
//! short, three actions: about 1.4 kB of JSON), each copy with its own id and nonce; the
//! directory is `examples/partners/distributor-ransomware.yaml` (nine organisations).
//! Signing counts the payload's serialisation; verification counts the whole of
//! `jws::verify`: parsing, the key look-up, the Ed25519 check, the payload's parse, the
//! time checks and the nonce log. Prints one Markdown table row per operation.
//!
//!   cargo bench -p lifeline-share --bench sign [-- N]   (bench/sign.sh pins it to one core)

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use lifeline_share::alert::Alert;
use lifeline_share::directory;
use lifeline_share::jws::{self, MemoryNonces};
use lifeline_share::keys::KeyPair;

fn repo(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let (mut dir, _) = directory::from_str(
        &repo("examples/partners/distributor-ransomware.yaml"),
        "distributor-ransomware.yaml",
    )
    .expect("the example directory");
    dir.organisation = "hosp-mercy".into();
    let key = KeyPair::from_jwk(&repo("examples/partners/keys/medsupply-2026-a.jwk"))
        .expect("the example key");
    let template: Alert =
        serde_json::from_str(&repo("examples/partners/alert-to-mercy.json")).expect("alert");
    let alerts: Vec<Alert> = (0..n)
        .map(|i| Alert {
            id: format!("inc-2026-014/hosp-mercy/{i}"),
            nonce: format!("bench-{i:016}"),
            ..template.clone()
        })
        .collect();
    let payload_bytes = serde_json::to_vec(&template).expect("json").len();

    // Warm-up (caches, the allocator), not timed.
    for alert in alerts.iter().take(1000) {
        black_box(jws::sign_alert(alert, &key).expect("signed"));
    }

    let start = Instant::now();
    let tokens: Vec<String> = alerts
        .iter()
        .map(|a| jws::sign_alert(a, &key).expect("signed"))
        .collect();
    let sign = start.elapsed();

    let now = template.issued_at + time::Duration::minutes(5);
    let mut nonces = MemoryNonces::new();
    let start = Instant::now();
    for token in &tokens {
        black_box(jws::verify(token, &dir, now, &mut nonces).expect("valid"));
    }
    let verify = start.elapsed();
    assert_eq!(nonces.len(), n);

    println!("| operation | messages | payload | seconds | per second | per message | target |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for (name, took) in [("sign_alert", sign), ("verify", verify)] {
        let secs = took.as_secs_f64();
        println!(
            "| {name} | {n} | {payload_bytes} B | {secs:.3} | {:.0} | {:.1} µs | ≥ 20,000/s |",
            n as f64 / secs,
            secs * 1e6 / n as f64
        );
    }
}
