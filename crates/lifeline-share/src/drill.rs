//! Channel drills: "test the lines". A drill sends one [`AlertKind::Drill`] alert to every
//! contact of every partner on every channel (one alert per line, so an acknowledgement
//! names the line it came back on), and [`report`] measures, per partner and channel, the
//! time to acknowledge, and names the lines that are dead or slow.
//!
//! What a line is, at the time the report is drawn:
//! - **ok**: acknowledged within `slow_after` of being sent;
//! - **slow**: acknowledged, but later than `slow_after`;
//! - **dead**: the delivery failed, or nothing came back within `slow_after`;
//! - **waiting**: sent, not acknowledged, and `slow_after` has not passed yet;
//! - **call**: a phone-tree entry, which lifeline never dials: a person calls it, and
//!   records the answer as an acknowledgement of its alert (it then counts as the others).
//!
//! Pure: the sends, acknowledgements and the time come in as arguments.
//!
//! [`AlertKind::Drill`]: crate::alert::AlertKind::Drill

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::directory::Window;

/// One drill alert as it went out on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillSend {
    /// The drill alert's id (unique per line).
    pub alert: String,
    /// The partner organisation's directory id.
    pub organisation: String,
    /// The contact's id in that organisation.
    pub contact: String,
    /// `email`, `webhook` or `phone`.
    pub channel: String,
    /// The address, URL or number.
    pub address: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// Why the delivery failed after its retries; `None` when it was delivered (or is a
    /// phone entry, for a person to call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// An acknowledgement of a drill alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillAck {
    /// The drill alert acknowledged.
    pub alert: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `signed-reply` or `link` (or `call`, for a phone entry a person recorded).
    pub via: String,
}

/// What a line is (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineStatus {
    Dead,
    Slow,
    Waiting,
    Call,
    Ok,
}

impl LineStatus {
    /// `dead`, `slow`, `waiting`, `call`, `ok`.
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Dead => "dead",
            LineStatus::Slow => "slow",
            LineStatus::Waiting => "waiting",
            LineStatus::Call => "call",
            LineStatus::Ok => "ok",
        }
    }
}

impl std::fmt::Display for LineStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the drill: a contact's channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub alert: String,
    pub organisation: String,
    pub contact: String,
    pub channel: String,
    pub address: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// The first acknowledgement of its alert.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// How it was acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Seconds from sending to the first acknowledgement (0 when the clocks put the
    /// acknowledgement before the send).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds_to_ack: Option<i64>,
    pub status: LineStatus,
    /// Why a dead line is dead, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Lines by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub ok: usize,
    pub slow: usize,
    pub dead: usize,
    pub waiting: usize,
    pub call: usize,
}

impl Counts {
    fn add(&mut self, status: LineStatus) {
        match status {
            LineStatus::Ok => self.ok += 1,
            LineStatus::Slow => self.slow += 1,
            LineStatus::Dead => self.dead += 1,
            LineStatus::Waiting => self.waiting += 1,
            LineStatus::Call => self.call += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.ok + self.slow + self.dead + self.waiting + self.call
    }
}

/// One partner's lines in short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSummary {
    pub organisation: String,
    pub counts: Counts,
    /// The fastest acknowledgement on any of its lines: how soon the partner could be
    /// reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fastest_seconds: Option<i64>,
    /// Whether no line of the partner was acknowledged and none is still waiting: the
    /// partner cannot be reached at all.
    pub unreachable: bool,
}

/// A drill's report at one time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillReport {
    /// When the report was drawn.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The threshold: acknowledged later than this is slow, nothing by then is dead.
    pub slow_after: Window,
    /// Every line, in the order they were sent.
    pub lines: Vec<Line>,
    /// Every partner, in the order their first line was sent.
    pub partners: Vec<PartnerSummary>,
    pub counts: Counts,
    /// Acknowledgements of alerts that are not this drill's (ignored).
    pub unmatched_acks: usize,
}

impl DrillReport {
    /// The lines that are dead or slow, worst first (dead, then slow by time to
    /// acknowledge, longest first), as a drill's summary names them.
    pub fn problems(&self) -> Vec<&Line> {
        let mut lines: Vec<&Line> = self
            .lines
            .iter()
            .filter(|l| matches!(l.status, LineStatus::Dead | LineStatus::Slow))
            .collect();
        lines.sort_by(|a, b| {
            a.status
                .cmp(&b.status)
                .then(b.seconds_to_ack.cmp(&a.seconds_to_ack))
        });
        lines
    }
}

/// The drill's report at `now`: each line's time to acknowledge and status (see the module
/// documentation), per partner and in all. An alert sent twice keeps its first send; an
/// acknowledgement counts from its alert's send, the earliest one first.
pub fn report(
    sends: &[DrillSend],
    acks: &[DrillAck],
    now: OffsetDateTime,
    slow_after: Window,
) -> DrillReport {
    let threshold = i64::from(slow_after.seconds);
    let mut seen = std::collections::HashSet::new();
    let mut lines = Vec::with_capacity(sends.len());
    for send in sends {
        if !seen.insert(send.alert.as_str()) {
            continue;
        }
        let first = acks
            .iter()
            .filter(|a| a.alert == send.alert)
            .min_by_key(|a| a.at);
        let seconds_to_ack = first.map(|a| (a.at - send.sent_at).whole_seconds().max(0));
        let waited = (now - send.sent_at).whole_seconds();
        let (status, reason) = match (seconds_to_ack, &send.failed) {
            (Some(s), _) if s <= threshold => (LineStatus::Ok, None),
            (Some(_), _) => (LineStatus::Slow, None),
            (None, Some(error)) => (
                LineStatus::Dead,
                Some(format!("the delivery failed: {error}")),
            ),
            (None, None) if send.channel == "phone" => (LineStatus::Call, None),
            (None, None) if waited < threshold => (LineStatus::Waiting, None),
            (None, None) => (
                LineStatus::Dead,
                Some(format!("no acknowledgement within {slow_after}")),
            ),
        };
        lines.push(Line {
            alert: send.alert.clone(),
            organisation: send.organisation.clone(),
            contact: send.contact.clone(),
            channel: send.channel.clone(),
            address: send.address.clone(),
            sent_at: send.sent_at,
            acknowledged_at: first.map(|a| a.at),
            via: first.map(|a| a.via.clone()),
            seconds_to_ack,
            status,
            reason,
        });
    }
    let mut partners: Vec<PartnerSummary> = Vec::new();
    let mut counts = Counts::default();
    for line in &lines {
        counts.add(line.status);
        let index = match partners
            .iter()
            .position(|p| p.organisation == line.organisation)
        {
            Some(i) => i,
            None => {
                partners.push(PartnerSummary {
                    organisation: line.organisation.clone(),
                    counts: Counts::default(),
                    fastest_seconds: None,
                    unreachable: false,
                });
                partners.len() - 1
            }
        };
        let partner = &mut partners[index];
        partner.counts.add(line.status);
        if let Some(s) = line.seconds_to_ack {
            partner.fastest_seconds = Some(partner.fastest_seconds.map_or(s, |f| f.min(s)));
        }
    }
    for partner in &mut partners {
        let c = partner.counts;
        partner.unreachable = c.ok + c.slow + c.waiting + c.call == 0;
    }
    let unmatched_acks = acks
        .iter()
        .filter(|a| !seen.contains(a.alert.as_str()))
        .count();
    DrillReport {
        at: now,
        slow_after,
        lines,
        partners,
        counts,
        unmatched_acks,
    }
}

/// A time to acknowledge in words people read at a glance: `45s`, `4m 05s`, `2h 10m`,
/// `3d 4h`.
pub fn duration_text(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-12-06 14:00 UTC);

    fn send(alert: &str, org: &str, channel: &str, failed: Option<&str>) -> DrillSend {
        DrillSend {
            alert: alert.into(),
            organisation: org.into(),
            contact: "duty".into(),
            channel: channel.into(),
            address: format!("{channel}-address"),
            sent_at: T0,
            failed: failed.map(str::to_owned),
        }
    }

    fn ack(alert: &str, seconds: i64) -> DrillAck {
        DrillAck {
            alert: alert.into(),
            at: T0 + time::Duration::seconds(seconds),
            via: "link".into(),
        }
    }

    fn window(s: u32) -> Window {
        Window { seconds: s }
    }

    #[test]
    fn each_line_gets_its_status() {
        let sends = [
            send("a1", "hospital", "email", None),
            send("a2", "hospital", "webhook", None),
            send("a3", "isac", "email", Some("connection refused")),
            send("a4", "isac", "webhook", None),
            send("a5", "isac", "phone", None),
            send("a6", "regulator", "email", None),
        ];
        let acks = [ack("a1", 30), ack("a2", 1200), ack("a1", 10), ack("zz", 5)];
        let r = report(&sends, &acks, T0 + time::Duration::minutes(20), window(600));
        let status: Vec<_> = r.lines.iter().map(|l| l.status).collect();
        assert_eq!(
            status,
            [
                LineStatus::Ok,
                LineStatus::Slow,
                LineStatus::Dead,
                LineStatus::Dead,
                LineStatus::Call,
                LineStatus::Dead
            ]
        );
        // The earliest acknowledgement counts.
        assert_eq!(r.lines[0].seconds_to_ack, Some(10));
        assert_eq!(r.lines[1].seconds_to_ack, Some(1200));
        assert_eq!(
            r.lines[2].reason.as_deref(),
            Some("the delivery failed: connection refused")
        );
        assert_eq!(
            r.lines[3].reason.as_deref(),
            Some("no acknowledgement within 10m")
        );
        assert_eq!(r.unmatched_acks, 1);
        assert_eq!(
            r.counts,
            Counts {
                ok: 1,
                slow: 1,
                dead: 3,
                waiting: 0,
                call: 1
            }
        );
        assert_eq!(r.partners.len(), 3);
        assert_eq!(r.partners[0].fastest_seconds, Some(10));
        assert!(!r.partners[0].unreachable);
        // A phone entry still to call keeps the ISAC reachable; the regulator is not.
        assert!(!r.partners[1].unreachable);
        assert!(r.partners[2].unreachable);
        let problems: Vec<_> = r.problems().iter().map(|l| l.alert.as_str()).collect();
        assert_eq!(problems, ["a3", "a4", "a6", "a2"]);
    }

    #[test]
    fn a_line_waits_until_the_threshold_then_is_dead_and_a_late_ack_makes_it_slow() {
        let sends = [send("a1", "hospital", "email", None)];
        let early = report(&sends, &[], T0 + time::Duration::seconds(599), window(600));
        assert_eq!(early.lines[0].status, LineStatus::Waiting);
        assert!(!early.partners[0].unreachable);
        let late = report(&sends, &[], T0 + time::Duration::seconds(600), window(600));
        assert_eq!(late.lines[0].status, LineStatus::Dead);
        let acked = report(
            &sends,
            &[ack("a1", 900)],
            T0 + time::Duration::hours(1),
            window(600),
        );
        assert_eq!(acked.lines[0].status, LineStatus::Slow);
        // Exactly at the threshold is still in time.
        let edge = report(
            &sends,
            &[ack("a1", 600)],
            T0 + time::Duration::hours(1),
            window(600),
        );
        assert_eq!(edge.lines[0].status, LineStatus::Ok);
    }

    #[test]
    fn an_ack_that_beats_the_failure_record_still_counts_and_clock_skew_is_zero() {
        // A webhook retried and recorded as failed, yet acknowledged through the link.
        let sends = [send("a1", "hospital", "webhook", Some("timeout"))];
        let r = report(&sends, &[ack("a1", -5)], T0, window(60));
        assert_eq!(r.lines[0].status, LineStatus::Ok);
        assert_eq!(r.lines[0].seconds_to_ack, Some(0));
    }

    #[test]
    fn a_repeated_send_is_one_line_and_an_empty_drill_is_empty() {
        let sends = [
            send("a1", "hospital", "email", None),
            send("a1", "hospital", "email", None),
        ];
        assert_eq!(report(&sends, &[], T0, window(60)).lines.len(), 1);
        let empty = report(&[], &[ack("a1", 1)], T0, window(60));
        assert!(empty.lines.is_empty() && empty.partners.is_empty());
        assert_eq!(empty.counts.total(), 0);
        assert_eq!(empty.unmatched_acks, 1);
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration_text(-3), "0s");
        assert_eq!(duration_text(45), "45s");
        assert_eq!(duration_text(245), "4m 05s");
        assert_eq!(duration_text(7800), "2h 10m");
        assert_eq!(duration_text(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
    }

    #[test]
    fn the_report_round_trips_as_json() {
        let sends = [send("a1", "hospital", "email", None)];
        let r = report(&sends, &[ack("a1", 3)], T0, window(60));
        let text = serde_json::to_string(&r).unwrap();
        assert!(text.contains("\"status\":\"ok\""), "{text}");
        assert!(text.contains("\"slow_after\":\"1m\""), "{text}");
        let back: DrillReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
    }
}
