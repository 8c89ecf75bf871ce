//! Acknowledgements, as timeline events.

use lifeline_response::incident::Event;

/// The `acknowledged` event for a redeemed one-time link.
pub fn from_link(alert: &str, recipient: &str, contact: &str) -> Event {
    Event::Acknowledged {
        alert: alert.to_owned(),
        recipient: recipient.to_owned(),
        contact: contact.to_owned(),
        via: "link".into(),
    }
}
