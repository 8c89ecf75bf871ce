//! A small directory and messages shared by the signing tests.
#![allow(dead_code)]

use lifeline_share::Tlp;
use lifeline_share::alert::{ACK_TYPE, ALERT_TYPE, Ack, Affected, Alert, AlertKind, IncidentRef};
use lifeline_share::directory::{
    Channel, Contact, ContactRole, Defaults, Directory, FORMAT, OrgKind, Organisation,
};
use lifeline_share::keys::KeyPair;
use time::OffsetDateTime;
use time::macros::datetime;

pub const T0: OffsetDateTime = datetime!(2026-12-06 14:00 UTC);

pub fn distributor_key() -> KeyPair {
    KeyPair::from_seed("northwind", "2026-a", [7; 32]).expect("key")
}

pub fn hospital_key() -> KeyPair {
    KeyPair::from_seed("st-mary", "k1", [9; 32]).expect("key")
}

fn org(id: &str, name: &str, kind: OrgKind) -> Organisation {
    Organisation {
        id: id.into(),
        name: name.into(),
        kind,
        tier: 1,
        entities: vec![],
        vendors: vec![],
        clearance: Tlp::Amber,
        ack_window: None,
        contacts: vec![Contact {
            id: "duty".into(),
            name: "Duty desk".into(),
            role: ContactRole::Duty,
            escalation: 1,
            ack_window: None,
            channels: vec![Channel::Email(format!("duty@{id}.example.org"))],
        }],
        keys: vec![],
    }
}

/// The hospital's directory (it is the keeper): the distributor signs alerts to it.
pub fn hospital_directory() -> Directory {
    let mut distributor = org(
        "northwind",
        "Northwind Medical Distribution",
        OrgKind::Distributor,
    );
    distributor
        .keys
        .push(distributor_key().public(T0 - time::Duration::days(30)));
    let mut hospital = org("st-mary", "St Mary's Hospital", OrgKind::Hospital);
    hospital
        .keys
        .push(hospital_key().public(T0 - time::Duration::days(30)));
    Directory {
        format: FORMAT.into(),
        organisation: "st-mary".into(),
        defaults: Defaults::default(),
        organisations: vec![distributor, hospital],
    }
}

/// The distributor's view: the same organisations, kept by the distributor.
pub fn distributor_directory() -> Directory {
    Directory {
        organisation: "northwind".into(),
        ..hospital_directory()
    }
}

pub fn alert(nonce: &str) -> Alert {
    Alert {
        typ: ALERT_TYPE.into(),
        id: "al-1".into(),
        kind: AlertKind::Alert,
        issuer: "northwind".into(),
        recipient: "st-mary".into(),
        incident: Some(IncidentRef {
            id: "inc-7".into(),
            title: "Ransomware at the Northwind DC".into(),
            kind: "ransomware".into(),
            declared_at: T0 - time::Duration::minutes(20),
        }),
        issued_at: T0,
        expires_at: T0 + time::Duration::hours(72),
        reply_by: T0 + time::Duration::minutes(30),
        nonce: nonce.into(),
        tlp: Tlp::Amber,
        summary: "Deliveries from the Northwind DC stop for about 5 days".into(),
        affected: Affected::default(),
        expected_recovery_days: Some(5.0),
        actions: vec!["Order from the alternative supplier".into()],
        supersedes: None,
    }
}

pub fn ack(nonce: &str) -> Ack {
    Ack {
        typ: ACK_TYPE.into(),
        alert: "al-1".into(),
        issuer: "st-mary".into(),
        recipient: "northwind".into(),
        contact: "duty".into(),
        issued_at: T0 + time::Duration::minutes(3),
        expires_at: T0 + time::Duration::hours(24),
        nonce: nonce.into(),
        note: "Received; switching orders".into(),
    }
}
