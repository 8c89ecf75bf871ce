//! The partner pages (issue 17): `/partners` (the partner directory: organisations,
//! contacts in escalation order, keys and their state, the organisation's own signing
//! key), `/drills` and `/drills/{id}` (channel drills: which lines are dead, slow or ok,
//! and the time to acknowledge), the incident page's "Partner alerts" section, and the
//! public one-time acknowledgement page `/ack/{token}`.
//!
//! Views are built from lifeline-share's [`Directory`] and [`DrillReport`], the ones the
//! API and `lifeline notify drill` show.

use askama::Template;
use lifeline_share::directory::{Directory, PublicKey};
use lifeline_share::drill::{Counts, DrillReport, LineStatus, duration_text};
use lifeline_text::percent_encoded;
use time::OffsetDateTime;

use super::Chrome;
use crate::format::timestamp;

fn at(t: OffsetDateTime) -> String {
    timestamp((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The link to a drill's page.
pub fn drill_href(id: &str) -> String {
    format!("/drills/{}", percent_encoded(id))
}

/// A key's state at `now`: `current`, `not yet valid`, `expired` or `revoked`.
pub fn key_state(key: &PublicKey, now: OffsetDateTime) -> &'static str {
    if key.revoked.as_ref().is_some_and(|r| r.at <= now) {
        "revoked"
    } else if key.not_before > now {
        "not yet valid"
    } else if key.not_after.is_some_and(|a| a <= now) {
        "expired"
    } else {
        "current"
    }
}

/// One public key of an organisation.
#[derive(Debug, Clone)]
pub struct KeyRow {
    /// `org/id`, as a JWS names it.
    pub kid: String,
    pub state: &'static str,
    pub not_before: String,
    pub not_after: String,
    /// When and why it was revoked.
    pub revoked: String,
}

/// One contact, in escalation order.
#[derive(Debug, Clone)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub escalation: u32,
    /// The acknowledgement window that applies to it.
    pub window: String,
    /// `email a@example.org`, `webhook https://…`, `phone +1 …`, in the order tried.
    pub channels: Vec<String>,
}

/// One organisation of the directory.
#[derive(Debug, Clone)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub tier: u32,
    pub clearance: String,
    /// Whether it is the organisation that keeps the directory (us).
    pub me: bool,
    pub entities: Vec<String>,
    pub vendors: Vec<String>,
    pub contacts: Vec<ContactRow>,
    pub keys: Vec<KeyRow>,
}

impl OrgRow {
    /// Every organisation of `directory`, ours first, then by tier and id; contacts in
    /// escalation order; keys' states at `now`.
    pub fn all(directory: &Directory, now: OffsetDateTime) -> Vec<OrgRow> {
        let mut rows: Vec<OrgRow> = directory
            .organisations
            .iter()
            .map(|o| {
                let mut contacts: Vec<ContactRow> = o
                    .contacts
                    .iter()
                    .map(|c| ContactRow {
                        id: c.id.clone(),
                        name: c.name.clone(),
                        role: kebab(&c.role),
                        escalation: c.escalation,
                        window: c
                            .ack_window
                            .or(o.ack_window)
                            .unwrap_or(directory.defaults.ack_window)
                            .to_string(),
                        channels: c
                            .channels
                            .iter()
                            .map(|ch| format!("{} {}", ch.kind(), ch.address()))
                            .collect(),
                    })
                    .collect();
                contacts.sort_by(|a, b| a.escalation.cmp(&b.escalation).then(a.id.cmp(&b.id)));
                OrgRow {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    kind: kebab(&o.kind),
                    tier: o.tier,
                    clearance: o.clearance.label().to_owned(),
                    me: o.id == directory.organisation,
                    entities: o.entities.clone(),
                    vendors: o.vendors.clone(),
                    contacts,
                    keys: o
                        .keys
                        .iter()
                        .map(|k| KeyRow {
                            kid: format!("{}/{}", o.id, k.id),
                            state: key_state(k, now),
                            not_before: at(k.not_before),
                            not_after: k.not_after.map(at).unwrap_or_default(),
                            revoked: k
                                .revoked
                                .as_ref()
                                .map(|r| format!("{}: {}", at(r.at), r.reason))
                                .unwrap_or_default(),
                        })
                        .collect(),
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.me.cmp(&a.me)
                .then(a.tier.cmp(&b.tier))
                .then(a.id.cmp(&b.id))
        });
        rows
    }
}

/// A serde enum's kebab-case name (`security-lead`).
fn kebab<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The stored directory's version.
#[derive(Debug, Clone)]
pub struct DirectoryInfo {
    pub version: i64,
    pub updated: String,
    pub updated_by: String,
    /// The organisation that keeps it (its id in the directory).
    pub me: String,
    pub ack_window: String,
    pub alert_validity: String,
}

/// The organisation's signing key, as far as it is shown: never the key itself.
#[derive(Debug, Clone)]
pub struct SigningKeyInfo {
    pub kid: String,
    pub set: String,
    pub set_by: String,
    /// Whether the directory lists its public half as a current key of ours.
    pub listed: bool,
}

/// `/partners`: the directory, and the forms that replace it and set the signing key.
#[derive(Debug, Template)]
#[template(path = "partners.html")]
pub struct PartnersPage {
    pub chrome: Chrome,
    pub directory: Option<DirectoryInfo>,
    pub organisations: Vec<OrgRow>,
    pub signing_key: Option<SigningKeyInfo>,
    /// Whether the caller may change them (analyst or admin).
    pub can_write: bool,
    /// Why the last change was refused, one line per problem.
    pub problems: Vec<String>,
    /// What the last change did.
    pub done: Option<String>,
}

/// The CSS class of a line's status tag.
pub fn status_class(status: LineStatus) -> &'static str {
    match status {
        LineStatus::Dead => "tier-critical",
        LineStatus::Slow => "tier-high",
        LineStatus::Ok => "tier-low",
        LineStatus::Waiting | LineStatus::Call => "",
    }
}

/// `2 ok · 1 slow · 1 dead · 0 waiting · 1 to call`.
pub fn counts_text(c: &Counts) -> String {
    format!(
        "{} ok · {} slow · {} dead · {} waiting · {} to call",
        c.ok, c.slow, c.dead, c.waiting, c.call
    )
}

/// One drill as the list shows it.
#[derive(Debug, Clone)]
pub struct DrillItem {
    pub id: String,
    pub href: String,
    pub started: String,
    pub started_by: String,
    pub lines: usize,
    pub counts: String,
    pub dead: usize,
    pub slow: usize,
}

impl DrillItem {
    pub fn new(id: &str, started: &str, started_by: &str, report: &DrillReport) -> DrillItem {
        DrillItem {
            id: id.to_owned(),
            href: drill_href(id),
            started: started.to_owned(),
            started_by: started_by.to_owned(),
            lines: report.lines.len(),
            counts: counts_text(&report.counts),
            dead: report.counts.dead,
            slow: report.counts.slow,
        }
    }
}

/// `/drills`: the drills, newest first, and the button that starts one.
#[derive(Debug, Template)]
#[template(path = "drills.html")]
pub struct DrillsPage {
    pub chrome: Chrome,
    pub drills: Vec<DrillItem>,
    pub can_write: bool,
    /// Why the organisation cannot drill yet (no directory, no signing key), or why the
    /// last drill was refused.
    pub problem: Option<String>,
}

/// One line of a drill.
#[derive(Debug, Clone)]
pub struct DrillLineRow {
    pub partner: String,
    pub contact: String,
    pub channel: String,
    pub address: String,
    pub status: &'static str,
    pub class: &'static str,
    pub sent: String,
    pub acknowledged: String,
    pub time_to_ack: String,
    pub reason: String,
}

/// One partner's lines in short.
#[derive(Debug, Clone)]
pub struct DrillPartnerRow {
    pub partner: String,
    pub counts: String,
    pub fastest: String,
    pub unreachable: bool,
}

/// `/drills/{id}`: every line of the drill with its status and time to acknowledge.
#[derive(Debug, Template)]
#[template(path = "drill.html")]
pub struct DrillPage {
    pub chrome: Chrome,
    pub id: String,
    pub started: String,
    pub started_by: String,
    /// When the report was drawn.
    pub at: String,
    pub slow_after: String,
    pub counts: String,
    pub partners: Vec<DrillPartnerRow>,
    /// Dead lines first, then slow, waiting, to call, ok.
    pub lines: Vec<DrillLineRow>,
}

impl DrillPage {
    /// The page of drill `id` from its report; `name` gives an organisation's name by id.
    pub fn new(
        chrome: Chrome,
        id: &str,
        started: &str,
        started_by: &str,
        report: &DrillReport,
        name: &dyn Fn(&str) -> String,
    ) -> DrillPage {
        let mut lines: Vec<_> = report.lines.iter().collect();
        lines.sort_by_key(|l| l.status);
        DrillPage {
            chrome,
            id: id.to_owned(),
            started: started.to_owned(),
            started_by: started_by.to_owned(),
            at: at(report.at),
            slow_after: report.slow_after.to_string(),
            counts: counts_text(&report.counts),
            partners: report
                .partners
                .iter()
                .map(|p| DrillPartnerRow {
                    partner: name(&p.organisation),
                    counts: counts_text(&p.counts),
                    fastest: p.fastest_seconds.map(duration_text).unwrap_or_default(),
                    unreachable: p.unreachable,
                })
                .collect(),
            lines: lines
                .into_iter()
                .map(|l| DrillLineRow {
                    partner: name(&l.organisation),
                    contact: l.contact.clone(),
                    channel: l.channel.clone(),
                    address: l.address.clone(),
                    status: l.status.as_str(),
                    class: status_class(l.status),
                    sent: at(l.sent_at),
                    acknowledged: l.acknowledged_at.map(at).unwrap_or_default(),
                    time_to_ack: l.seconds_to_ack.map(duration_text).unwrap_or_default(),
                    reason: l.reason.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// One alert to one recipient contact, as the incident page's "Partner alerts" section
/// shows it.
#[derive(Debug, Clone, Default)]
pub struct PartnerAlertRow {
    pub alert: String,
    pub partner: String,
    pub contact: String,
    pub channel: String,
    pub address: String,
    pub sent: String,
    /// `acknowledged`, `escalated`, `failed`, `sent` or `to call`.
    pub status: String,
    pub class: &'static str,
    /// The acknowledgement, escalation or failure, in words.
    pub detail: String,
}

/// The incident page's "Partner alerts" section.
#[derive(Debug, Clone, Default)]
pub struct PartnerAlerts {
    pub rows: Vec<PartnerAlertRow>,
    /// Where the "send the alerts now" form posts; empty when the caller may not send.
    pub send_action: String,
    /// Why alerts cannot be sent (no directory or signing key), when so.
    pub note: Option<String>,
}

/// `/ack/{token}`: the one-time acknowledgement page a recipient opens from an alert.
#[derive(Debug, Template)]
#[template(path = "partners_ack.html")]
pub struct AckPage {
    pub issuer: String,
    pub recipient: String,
    pub contact: String,
    pub alert: String,
    pub kind: String,
    pub summary: String,
    pub tlp: String,
    pub reply_by: String,
    pub action: String,
}

/// The acknowledgement recorded, or the link refused (used, expired or unknown).
#[derive(Debug, Template)]
#[template(path = "partners_ack_done.html")]
pub struct AckDone {
    pub title: String,
    pub message: String,
    /// Whether it was recorded now.
    pub recorded: bool,
}

impl AckPage {
    pub fn chrome_ref(&self) -> Option<&Chrome> {
        None
    }
}

impl AckDone {
    pub fn chrome_ref(&self) -> Option<&Chrome> {
        None
    }
}

crate::framed!(PartnersPage, DrillsPage, DrillPage);

#[cfg(test)]
mod tests {
    use super::*;
    use lifeline_share::directory::Revocation;
    use lifeline_share::drill::{DrillAck, DrillSend, report};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-06 14:00 UTC);

    fn key(nb: OffsetDateTime, na: Option<OffsetDateTime>, revoked: bool) -> PublicKey {
        PublicKey {
            id: "k".into(),
            x: "AAAA".into(),
            not_before: nb,
            not_after: na,
            revoked: revoked.then(|| Revocation {
                at: datetime!(2026-12-01 0:00 UTC),
                reason: "lost".into(),
            }),
        }
    }

    #[test]
    fn key_states() {
        let past = datetime!(2026-01-01 0:00 UTC);
        let future = datetime!(2027-01-01 0:00 UTC);
        assert_eq!(key_state(&key(past, None, false), NOW), "current");
        assert_eq!(key_state(&key(past, Some(future), false), NOW), "current");
        assert_eq!(key_state(&key(past, Some(past), false), NOW), "expired");
        assert_eq!(key_state(&key(future, None, false), NOW), "not yet valid");
        assert_eq!(key_state(&key(past, None, true), NOW), "revoked");
    }

    fn chrome() -> Chrome {
        Chrome {
            user: "ana".into(),
            org: "Distributor".into(),
            role: "analyst".into(),
            csrf: "c".into(),
            can_upload: true,
            tab: crate::Tab::Partners,
        }
    }

    #[test]
    fn the_drill_page_puts_dead_lines_first_and_escapes() {
        let sends = [
            DrillSend {
                alert: "a1".into(),
                organisation: "h".into(),
                contact: "duty".into(),
                channel: "email".into(),
                address: "duty@example.org".into(),
                sent_at: NOW,
                failed: None,
            },
            DrillSend {
                alert: "a2".into(),
                organisation: "h".into(),
                contact: "duty".into(),
                channel: "webhook".into(),
                address: "http://127.0.0.1:9/<x>".into(),
                sent_at: NOW,
                failed: Some("refused".into()),
            },
        ];
        let acks = [DrillAck {
            alert: "a1".into(),
            at: NOW + time::Duration::seconds(75),
            via: "link".into(),
        }];
        let r = report(
            &sends,
            &acks,
            NOW + time::Duration::hours(1),
            lifeline_share::directory::Window { seconds: 600 },
        );
        let page = DrillPage::new(chrome(), "d1", "s", "ana", &r, &|id| {
            format!("Hospital {id}")
        });
        assert_eq!(page.lines[0].status, "dead");
        assert_eq!(page.lines[1].time_to_ack, "1m 15s");
        let html = crate::render(&page).unwrap();
        assert!(
            html.contains("&#60;x&#62;") || html.contains("&lt;x&gt;"),
            "{html}"
        );
        assert!(html.contains("id=\"drill-lines\""));
    }
}
