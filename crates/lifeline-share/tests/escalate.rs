//! The escalation planner, by property: an acknowledged alert never escalates; every step
//! returned is due, in order of due time; a step due once stays due later until done
//! (monotone in time); and following the plan round after round reaches every contact in
//! escalation order, then the next tier, and stops.

use lifeline_response::incident::Event;
use lifeline_share::alert::{ALERT_TYPE, Affected, Alert, AlertKind};
use lifeline_share::directory::Directory;
use lifeline_share::escalate::{self, Action, AlertState};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-12-06 09:00 UTC);

/// `orgs` tier-1 organisations with `contacts[i]` contacts each (windows of 10 minutes
/// times their position), and a sector-wide tier-2 ISAC.
fn directory(contacts: &[usize]) -> Directory {
    let mut organisations = vec![serde_json::json!({
        "id": "me", "name": "Me", "kind": "distributor", "clearance": "red",
        "contacts": [{ "id": "soc", "name": "SOC", "role": "duty", "escalation": 1,
                       "channels": [{ "email": "soc@me.example.org" }] }]
    })];
    for (i, n) in contacts.iter().enumerate() {
        let people: Vec<_> = (0..*n)
            .map(|j| {
                serde_json::json!({
                    "id": format!("c{j}"), "name": format!("C{j}"), "role": "duty",
                    "escalation": j + 1, "ack_window": format!("{}m", 10 * (j + 1)),
                    "channels": [{ "email": format!("c{j}@o{i}.example.org") },
                                 { "phone": "+1 555 0100" }]
                })
            })
            .collect();
        organisations.push(serde_json::json!({
            "id": format!("o{i}"), "name": format!("O{i}"), "kind": "hospital",
            "entities": ["dc"], "clearance": "amber", "contacts": people
        }));
    }
    organisations.push(serde_json::json!({
        "id": "isac", "name": "ISAC", "kind": "isac", "tier": 2, "clearance": "amber",
        "contacts": [{ "id": "desk", "name": "Desk", "role": "duty", "escalation": 1,
                       "channels": [{ "email": "desk@isac.example.org" }] }]
    }));
    serde_json::from_value(serde_json::json!({
        "format": "lifeline-partners/1", "organisation": "me",
        "organisations": organisations
    }))
    .expect("the directory")
}

fn alert(recipient: &str) -> Alert {
    Alert {
        typ: ALERT_TYPE.into(),
        id: format!("al-{recipient}"),
        kind: AlertKind::Alert,
        issuer: "me".into(),
        recipient: recipient.into(),
        incident: None,
        issued_at: T0,
        expires_at: T0 + Duration::days(3),
        reply_by: T0 + Duration::minutes(10),
        nonce: "n".into(),
        tlp: lifeline_share::Tlp::Green,
        summary: "s".into(),
        affected: Affected::default(),
        expected_recovery_days: None,
        actions: Vec::new(),
        supersedes: None,
    }
}

/// The events a notifier records for `steps` (every send delivered).
fn events_of(steps: &[escalate::Step]) -> Vec<Event> {
    steps
        .iter()
        .flat_map(|s| match &s.action {
            Action::Send {
                contact,
                channel,
                step,
            } => vec![Event::AlertSent {
                alert: s.alert.clone(),
                recipient: s.recipient.clone(),
                contact: contact.clone(),
                channel: channel.kind().into(),
                address: channel.address().into(),
                step: *step,
            }],
            Action::NextContact { contact, reason } => vec![Event::Escalated {
                alert: s.alert.clone(),
                recipient: s.recipient.clone(),
                to: format!("{}/{contact}", s.recipient),
                reason: reason.clone(),
            }],
            Action::NextTier {
                organisations,
                already,
                reason,
            } => organisations
                .iter()
                .chain(already)
                .map(|o| Event::Escalated {
                    alert: s.alert.clone(),
                    recipient: s.recipient.clone(),
                    to: o.clone(),
                    reason: reason.clone(),
                })
                .collect(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn steps_are_due_ordered_monotone_and_never_for_acknowledged_alerts(
        contacts in prop::collection::vec(1usize..4, 1..4),
        acked in prop::collection::vec(any::<bool>(), 4),
        rounds in prop::collection::vec(0i64..50, 1..8),
        probe in prop::collection::vec((0i64..300, 0i64..300), 1..6),
    ) {
        let dir = directory(&contacts);
        let alerts: Vec<Alert> = (0..contacts.len()).map(|i| alert(&format!("o{i}"))).collect();
        let mut timeline: Vec<(OffsetDateTime, Event)> = Vec::new();
        let mut now = T0;
        // Follow the plan for a few rounds, acknowledging some alerts on the way.
        for (r, gap) in rounds.iter().enumerate() {
            now += Duration::minutes(*gap);
            let states = escalate::replay(&alerts, timeline.iter().map(|(at, e)| (*at, e)));
            let steps = escalate::plan(&dir, &states, now);
            for e in events_of(&steps) {
                timeline.push((now, e));
            }
            if r == 0 {
                for (i, a) in alerts.iter().enumerate() {
                    if acked[i % acked.len()] {
                        timeline.push((now, Event::Acknowledged {
                            alert: a.id.clone(), recipient: a.recipient.clone(),
                            contact: "c0".into(), via: "link".into(),
                        }));
                    }
                }
            }
        }
        let states = escalate::replay(&alerts, timeline.iter().map(|(at, e)| (*at, e)));
        for (a, b) in &probe {
            let (early, late) = (now + Duration::minutes(*a.min(b)), now + Duration::minutes(*a.max(b)));
            let at_early = escalate::plan(&dir, &states, early);
            let at_late = escalate::plan(&dir, &states, late);
            // Every step is due, in order of due time.
            prop_assert!(at_early.iter().all(|s| s.due <= early));
            prop_assert!(at_early.windows(2).all(|w| w[0].due <= w[1].due));
            // Monotone: what is due early is still due later.
            for s in &at_early {
                prop_assert!(at_late.contains(s), "{s:?} due at {early} but not at {late}");
            }
            // An acknowledged alert never escalates.
            for s in at_late {
                let state = states.iter().find(|st| st.alert == s.alert).expect("a state");
                prop_assert!(state.acknowledged.is_none(), "{s:?}");
            }
        }
        // Acknowledged in the first round: only the first contact was ever tried.
        for (i, state) in states.iter().enumerate() {
            if acked[i % acked.len()] {
                prop_assert!(state.contacted.len() <= 1);
                prop_assert!(state.passed_on.is_none());
            }
        }
    }
}

#[test]
fn an_unanswered_alert_goes_through_every_contact_in_order_then_the_next_tier_then_stops() {
    let dir = directory(&[3]);
    let alerts = vec![alert("o0")];
    let mut timeline: Vec<(OffsetDateTime, Event)> = Vec::new();
    let mut now = T0;
    let mut tried = Vec::new();
    let mut tier = Vec::new();
    for _ in 0..20 {
        let states: Vec<AlertState> =
            escalate::replay(&alerts, timeline.iter().map(|(at, e)| (*at, e)));
        if let Some(due) = escalate::next_due(&dir, &states) {
            now = now.max(due);
        }
        let steps = escalate::plan(&dir, &states, now);
        for s in &steps {
            match &s.action {
                Action::Send {
                    contact, channel, ..
                } if channel.kind() == "email" => {
                    tried.push((contact.clone(), (now - T0).whole_minutes()));
                }
                Action::NextTier { organisations, .. } => tier.extend(organisations.clone()),
                _ => {}
            }
        }
        for e in events_of(&steps) {
            timeline.push((now, e));
        }
    }
    // c0 at once, c1 after c0's 10 minutes, c2 after c1's 20, the ISAC after c2's 30.
    assert_eq!(
        tried,
        [
            ("c0".to_owned(), 0),
            ("c1".to_owned(), 10),
            ("c2".to_owned(), 30)
        ]
    );
    assert_eq!(tier, ["isac"]);
    let states = escalate::replay(&alerts, timeline.iter().map(|(at, e)| (*at, e)));
    assert_eq!(escalate::next_due(&dir, &states), None, "settled");
    assert_eq!(states[0].passed_on, Some(T0 + Duration::minutes(60)));
}
