//! Delivery against a real SMTP server (aiosmtpd) and webhook receivers on loopback: an
//! unacknowledged alert reaches the second contact after its window and then the next
//! tier, an acknowledged one does not; a dead webhook is retried, then recorded as a
//! failed delivery, and the alert moves on; every send, failure, acknowledgement and
//! escalation is an event for the timeline.

mod common;

use std::time::Duration;

use common::{SmtpServer, T0, Webhook, alert, counter, directory, key};
use lifeline_notify::ack::{self, AckError, PendingNonce};
use lifeline_notify::{Mailer, Notifier, SentAlert, SmtpRelay, WebhookPolicy};
use lifeline_response::incident::Event;
use lifeline_share::alert::{ACK_TYPE, Ack};
use lifeline_share::directory::Directory;
use lifeline_share::jws::{self, MemoryNonces};
use time::OffsetDateTime;

fn notifier(smtp: &SmtpServer) -> Notifier {
    let mut relay = SmtpRelay::new("127.0.0.1", "Acme alerts <alerts@acme.example.org>");
    relay.port = Some(smtp.port);
    relay.security = lifeline_notify::Security::None;
    let policy = WebhookPolicy {
        attempts: 3,
        first_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        timeout: Duration::from_secs(5),
    };
    Notifier::new(Some(Mailer::new(&relay).expect("a mailer")), policy)
        .with_ack_links("https://lifeline.example.org/")
}

/// The alerts sent so far and the incident's timeline, kept across rounds.
struct Rounds<'a> {
    notifier: &'a Notifier,
    dir: &'a Directory,
    known: Vec<SentAlert>,
    timeline: Vec<(OffsetDateTime, Event)>,
}

impl<'a> Rounds<'a> {
    fn new(notifier: &'a Notifier, dir: &'a Directory) -> Self {
        Rounds {
            notifier,
            dir,
            known: Vec::new(),
            timeline: Vec::new(),
        }
    }

    /// One round at `now`: prepare, keep what must be kept, deliver, append the events.
    fn round(
        &mut self,
        fresh: Vec<lifeline_share::alert::Alert>,
        now: OffsetDateTime,
    ) -> Vec<Event> {
        let signer = key("distrib", 1);
        let mut random = counter();
        let prepared = self
            .notifier
            .prepare(
                self.dir,
                &signer,
                fresh,
                &self.known,
                &self.timeline,
                now,
                &mut random,
            )
            .expect("the round prepares");
        self.known.extend(prepared.new_alerts.iter().cloned());
        let events = self.notifier.deliver(self.dir, &prepared);
        self.timeline
            .extend(events.iter().cloned().map(|e| (now, e)));
        events
    }

    /// A round with no new alert, `later` than T0.
    fn after(&mut self, later: time::Duration) -> Vec<Event> {
        self.round(vec![], T0 + later)
    }
}

fn sent_to(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::AlertSent {
                recipient,
                contact,
                channel,
                ..
            } => Some(format!("{recipient}/{contact} {channel}")),
            _ => None,
        })
        .collect()
}

#[test]
fn unacknowledged_alerts_escalate_and_acknowledged_ones_do_not() {
    let smtp = SmtpServer::start(false);
    let hook = Webhook::start(200);
    let dir = directory(&hook.url("/mercy"), &hook.url("/unused"));
    let notifier = notifier(&smtp);
    let mut rounds = Rounds::new(&notifier, &dir);

    // T0: hospital A's first contact by email and webhook; hospital B's by email.
    let events = rounds.round(
        vec![alert("hosp-a", "al-a", T0), alert("hosp-b", "al-b", T0)],
        T0,
    );
    assert_eq!(
        sent_to(&events),
        ["hosp-a/ana email", "hosp-a/ana webhook", "hosp-b/cy email"]
    );
    assert_eq!(smtp.to("ana@mercy.example.org").len(), 1);
    assert_eq!(smtp.to("cy@stluke.example.org").len(), 1);
    let mail = &smtp.to("ana@mercy.example.org")[0];
    assert!(
        mail.contains("alert-al-a.jws"),
        "the JWS is attached:\n{mail}"
    );
    assert!(mail.contains("application/jose"), "{mail}");
    // The webhook got the compact JWS as application/jose, with the one-time link, and it
    // verifies for hospital A.
    let got = hook.received();
    assert_eq!(got.len(), 1);
    let header = |name: &str| {
        got[0]
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "application/jose");
    assert!(header("link").starts_with("<https://lifeline.example.org/ack/lla_"));
    let verified = jws::verify_for(&got[0].body, &dir, "hosp-a", T0, &mut MemoryNonces::new())
        .expect("the webhook's JWS verifies");
    assert_eq!(verified.signer, "distrib");

    // T0+10m: hospital B acknowledges with a signed reply.
    let reply = Ack {
        typ: ACK_TYPE.into(),
        alert: "al-b".into(),
        issuer: "hosp-b".into(),
        recipient: "distrib".into(),
        contact: "cy".into(),
        issued_at: T0 + time::Duration::minutes(10),
        expires_at: T0 + time::Duration::days(1),
        nonce: "reply-nonce-1".into(),
        note: String::new(),
    };
    let token = jws::sign_ack(&reply, &key("hosp-b", 3)).expect("signed");
    let at = T0 + time::Duration::minutes(10);
    let mut nonces = MemoryNonces::new();
    let acked = ack::verify_reply(&token, &dir, at, &mut nonces).expect("the reply verifies");
    let event = ack::accept(&acked, Some(&rounds.known[1].alert), &dir).expect("accepted");
    rounds.timeline.push((at, event));
    // The same reply again is a replay, and nothing is recorded.
    let again = ack::verify_reply(&token, &dir, at, &mut nonces);
    assert_eq!(again.map_err(|e| e.code()), Err("replayed"));
    // A reply with one byte flipped is tampered, and burns no nonce.
    let mut forged = token.clone().into_bytes();
    let last = forged.len() - 3;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ASCII");
    let mut pending = PendingNonce::default();
    let refused = ack::verify_reply(&forged, &dir, at, &mut pending);
    assert!(matches!(refused, Err(AckError::Refused(_))), "{refused:?}");
    assert_eq!(pending.taken, None);

    // T0+29m: nothing is due yet.
    let events = rounds.after(time::Duration::minutes(29));
    assert!(events.is_empty(), "{events:?}");

    // T0+31m: A escalates to its second contact (email, and a call to make); B does not.
    let events = rounds.after(time::Duration::minutes(31));
    assert!(
        matches!(
            &events[0],
            Event::Escalated { alert, to, reason, .. }
                if alert == "al-a" && to == "hosp-a/bob" && reason.contains("within 30m")
        ),
        "{events:?}"
    );
    assert_eq!(sent_to(&events), ["hosp-a/bob phone", "hosp-a/bob email"]);
    assert_eq!(smtp.to("bob@mercy.example.org").len(), 1);
    assert_eq!(
        smtp.to("cy@stluke.example.org").len(),
        1,
        "B was acknowledged"
    );

    // T0+62m: A's contacts are exhausted: on to the tier-2 ISAC, with a new signed alert.
    let events = rounds.after(time::Duration::minutes(62));
    assert!(
        matches!(
            &events[0],
            Event::Escalated { alert, to, .. } if alert == "al-a" && to == "isac"
        ),
        "{events:?}"
    );
    assert_eq!(sent_to(&events), ["isac/desk email"]);
    let copy = rounds.known.last().expect("the ISAC's alert");
    assert_eq!(copy.alert.recipient, "isac");
    assert!(
        jws::verify_for(
            &copy.jws,
            &dir,
            "isac",
            T0 + time::Duration::minutes(62),
            &mut MemoryNonces::new()
        )
        .is_ok()
    );
    assert_eq!(smtp.to("desk@isac.example.org").len(), 1);

    // The ISAC acknowledges through its one-time link: nothing is due after, ever.
    rounds.timeline.push((
        T0 + time::Duration::minutes(70),
        ack::from_link(&copy.alert.id, "isac", "desk"),
    ));
    let events = rounds.after(time::Duration::days(2));
    assert!(events.is_empty(), "{events:?}");
    // Hospital B heard once; A's tier is done (A itself stays unacknowledged).
    assert_eq!(smtp.to("cy@stluke.example.org").len(), 1);
    assert_eq!(smtp.messages().len(), 4);
    // Every event reads as a sentence on the timeline.
    for (_, e) in &rounds.timeline {
        assert!(e.sharing_text().is_some(), "{e:?}");
    }
}

#[test]
fn a_dead_webhook_is_retried_then_recorded_and_the_alert_moves_on() {
    let smtp = SmtpServer::start(false);
    let alive = Webhook::start(200);
    let dead = Webhook::start(503);
    let dir = directory(&alive.url("/mercy"), &dead.url("/dead"));
    let notifier = notifier(&smtp);
    let mut rounds = Rounds::new(&notifier, &dir);
    let events = rounds.round(vec![alert("hosp-c", "al-c", T0)], T0);
    assert!(
        matches!(&events[..], [Event::DeliveryFailed { contact, channel, attempts: 3, error, .. }]
            if contact == "dee" && channel == "webhook" && error.contains("503")),
        "{events:?}"
    );
    assert_eq!(dead.received().len(), 3, "three tries");
    // Dee cannot be reached at all: the next contact is due at once, not after 30m.
    let events = rounds.after(time::Duration::seconds(1));
    assert!(
        matches!(
            &events[0],
            Event::Escalated { to, reason, .. } if to == "hosp-c/eve" && reason.contains("failed")
        ),
        "{events:?}"
    );
    assert_eq!(sent_to(&events), ["hosp-c/eve email"]);
    assert_eq!(smtp.to("eve@deadline.example.org").len(), 1);
}

#[test]
fn email_without_a_relay_fails_and_says_why() {
    let dir = directory("http://127.0.0.1:9/none", "http://127.0.0.1:9/none");
    let notifier = Notifier::new(None, WebhookPolicy::default());
    let signer = key("distrib", 1);
    let prepared = notifier
        .prepare(
            &dir,
            &signer,
            vec![alert("hosp-b", "al-b", T0)],
            &[],
            &[],
            T0,
            &mut counter(),
        )
        .expect("prepared");
    assert!(prepared.links.is_empty(), "links are off");
    let events = notifier.deliver(&dir, &prepared);
    assert!(
        matches!(&events[..], [Event::DeliveryFailed { error, .. }] if error.contains("no SMTP relay")),
        "{events:?}"
    );
}
