//! The fan-out benchmark (issue 17: an alert to 5,000 partner contacts over SMTP on
//! loopback in under 5 s): 5,000 partner organisations with one contact each, one alert
//! each, signed, and sent through a real SMTP server (aiosmtpd) on loopback. Run by
//! `bench/fanout.sh` in release mode (`--ignored`); the debug build is too slow to judge.

mod common;

use std::time::Instant;

use common::{SmtpServer, T0, alert, counter, key};
use lifeline_notify::{Mailer, Notifier, Outcome, SmtpRelay, WebhookPolicy};
use lifeline_response::incident::Event;
use lifeline_share::directory::Directory;

const CONTACTS: usize = 5_000;

fn directory() -> Directory {
    let mut organisations = vec![serde_json::json!({
        "id": "distrib", "name": "Acme Distribution", "kind": "distributor",
        "clearance": "red",
        "contacts": [{ "id": "soc", "name": "SOC", "role": "security-lead", "escalation": 1,
                       "channels": [{ "email": "soc@acme.example.org" }] }]
    })];
    for i in 0..CONTACTS {
        organisations.push(serde_json::json!({
            "id": format!("p{i}"), "name": format!("Partner {i}"), "kind": "hospital",
            "clearance": "green",
            "contacts": [{ "id": "duty", "name": format!("Duty {i}"), "role": "duty",
                           "escalation": 1,
                           "channels": [{ "email": format!("duty{i}@p{i}.example.org") }] }]
        }));
    }
    serde_json::from_value(serde_json::json!({
        "format": "lifeline-partners/1",
        "organisation": "distrib",
        "organisations": organisations,
    }))
    .expect("the directory")
}

#[test]
#[ignore = "benchmark: bench/fanout.sh runs it in release mode"]
fn fan_out_to_5000_contacts_over_smtp() {
    let smtp = SmtpServer::start(true);
    let dir = directory();
    let mut relay = SmtpRelay::new("127.0.0.1", "alerts@acme.example.org");
    relay.port = Some(smtp.port);
    relay.security = lifeline_notify::Security::None;
    let workers: usize = std::env::var("FANOUT_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    relay.connections = Some(u32::try_from(workers).expect("a few"));
    let notifier = Notifier::new(
        Some(Mailer::new(&relay).expect("a mailer")),
        WebhookPolicy::default(),
    )
    .with_ack_links("https://lifeline.example.org")
    .with_workers(workers);
    let alerts: Vec<_> = (0..CONTACTS)
        .map(|i| alert(&format!("p{i}"), &format!("al-{i}"), T0))
        .collect();
    let signer = key("distrib", 1);
    let start = Instant::now();
    let prepared = notifier
        .prepare(&dir, &signer, alerts, &[], &[], T0, &mut counter())
        .expect("prepared");
    let signed = start.elapsed();
    let events = notifier.deliver(&dir, &prepared);
    let elapsed = start.elapsed();
    let sent = events
        .iter()
        .filter(|e| matches!(e, Event::AlertSent { .. }))
        .count();
    let failed: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::DeliveryFailed { .. }))
        .take(3)
        .collect();
    println!(
        "fan-out: {sent} of {CONTACTS} emails accepted by aiosmtpd on loopback in {:.2} s \
         ({:.0}/s; {workers} connections; signing and links {:.3} s)",
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64(),
        signed.as_secs_f64()
    );
    assert_eq!(sent, CONTACTS, "failures: {failed:?}");
    assert!(elapsed.as_secs_f64() < 5.0, "{elapsed:?}");
    let _ = Outcome::Delivered { attempts: 1 };
}
