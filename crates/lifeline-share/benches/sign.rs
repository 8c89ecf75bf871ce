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
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// This process's CPU time (user and system) from `/proc/self/stat`, in seconds: on a
/// shared machine the wall clock also counts the time other processes held the core.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in brackets and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Wall and CPU seconds of `f`.
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let cpu = cpu_seconds();
    let start = Instant::now();
    f();
    (start.elapsed().as_secs_f64(), cpu_seconds() - cpu)
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

    let mut tokens: Vec<String> = Vec::with_capacity(n);
    let sign = timed(|| {
        tokens.extend(
            alerts
                .iter()
                .map(|a| jws::sign_alert(a, &key).expect("signed")),
        );
    });

    let now = template.issued_at + time::Duration::minutes(5);
    let mut nonces = MemoryNonces::new();
    let verify = timed(|| {
        for token in &tokens {
            black_box(jws::verify(token, &dir, now, &mut nonces).expect("valid"));
        }
    });
    assert_eq!(nonces.len(), n);

    // The same with one Verifier (each key decompressed once), one message at a time and
    // in batches of 64.
    let mut nonces = MemoryNonces::new();
    let mut verifier = jws::Verifier::new(&dir);
    let verifier_one = timed(|| {
        for token in &tokens {
            black_box(verifier.verify(token, now, &mut nonces).expect("valid"));
        }
    });
    let mut nonces = MemoryNonces::new();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let verifier_batch = timed(|| {
        for chunk in refs.chunks(64) {
            for result in verifier.verify_batch(chunk, now, &mut nonces) {
                black_box(result.expect("valid"));
            }
        }
    });
    assert_eq!(nonces.len(), n);

    // The parts: Ed25519 alone over the same signing input, and the JSON alone.
    let input = tokens[0].rsplit_once('.').expect("a token").0.to_owned();
    let x = lifeline_share::keys::decode_x(&key.x()).expect("x");
    let raw_sign = timed(|| {
        for _ in 0..n {
            black_box(key.sign_bytes(black_box(input.as_bytes())));
        }
    });
    let signature = key.sign_bytes(input.as_bytes());
    let token = format!("{input}.{}", {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature)
    });
    let raw_verify = timed(|| {
        for _ in 0..n {
            black_box(jws::verify_signature(black_box(&token), &x).expect("valid"));
        }
    });
    let json_write = timed(|| {
        for alert in &alerts {
            black_box(serde_json::to_vec(alert).expect("json"));
        }
    });
    let json = serde_json::to_vec(&template).expect("json");
    let json_read = timed(|| {
        for _ in 0..n {
            black_box(serde_json::from_slice::<Alert>(black_box(&json)).expect("json"));
        }
    });

    println!(
        "| operation | messages | wall s | per second (wall) | CPU s | per CPU second | per message (CPU) | target |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for (name, (wall, cpu), target) in [
        ("sign_alert", sign, "≥ 20,000/s"),
        ("verify", verify, "≥ 20,000/s"),
        (
            "Verifier::verify (keys decompressed once)",
            verifier_one,
            "≥ 20,000/s",
        ),
        (
            "Verifier::verify_batch, 64 a batch",
            verifier_batch,
            "≥ 20,000/s",
        ),
        ("(part) Ed25519 sign of the signing input", raw_sign, ""),
        (
            "(part) Ed25519 verify_strict, with the key's decompression",
            raw_verify,
            "",
        ),
        ("(part) serialise the alert to JSON", json_write, ""),
        ("(part) parse the alert from JSON", json_read, ""),
    ] {
        let rate = |secs: f64| {
            if secs > 0.0 {
                format!("{:.0}", n as f64 / secs)
            } else {
                "-".into()
            }
        };
        println!(
            "| {name} | {n} | {wall:.3} | {} | {cpu:.2} | {} | {:.1} µs | {target} |",
            rate(wall),
            rate(cpu),
            cpu * 1e6 / n as f64
        );
    }
    println!();
    println!("payload {payload_bytes} bytes of JSON; CPU time from /proc/self/stat (10 ms ticks)");
}
