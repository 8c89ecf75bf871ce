//! Checks of one event against the rules of EPCIS 2.0 (§7, the JSON schema and XSD
//! constraints that matter for traceability) and of GS1 identifiers: every problem is
//! collected, each naming the event (index, eventID) and the field.

use crate::error::Problem;
use crate::model::{Element, Event, EventType};
use crate::time::{Timestamp, parse_date_days};

fn offset_ok(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 6
        && matches!(b[0], b'+' | b'-')
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3] == b':'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
}

fn has_offset(text: &str) -> bool {
    let t = text.trim();
    t.ends_with('Z') || t.ends_with('z') || {
        let b = t.as_bytes();
        b.len() > 6 && matches!(b[b.len() - 6], b'+' | b'-') && b[b.len() - 3] == b':'
    }
}

fn identifier(event: &Event, field: String, value: &str, out: &mut Vec<Problem>) {
    if let Err(error) = crate::identifiers::canonical(value) {
        out.push(Problem {
            location: event.location(Some(&field)),
            message: format!("malformed GS1 identifier `{value}`: {error}"),
        });
    }
}

fn list_values<'a>(
    event: &'a Event,
    list: &'a str,
    item: &'a str,
) -> impl Iterator<Item = (usize, &'a Element)> + 'a {
    event
        .fields
        .iter()
        .filter(move |f| f.name == list)
        .flat_map(move |f| f.children_named(item))
        .enumerate()
}

fn push(out: &mut Vec<Problem>, event: &Event, field: &str, message: String) {
    out.push(Problem {
        location: event.location(Some(field)),
        message,
    });
}

/// Every problem of `event`; empty when it is valid.
pub fn check_event(event: &Event) -> Vec<Problem> {
    let mut out = Vec::new();
    match event.text("eventTime") {
        None => push(
            &mut out,
            event,
            "eventTime",
            "missing: every event needs an `eventTime`".into(),
        ),
        Some(time) if Timestamp::parse(time).is_none() || !has_offset(time) => push(
            &mut out,
            event,
            "eventTime",
            format!(
                "`{time}` is not a date-time with a time zone, such as `2024-05-01T10:00:00.000+02:00`"
            ),
        ),
        _ => {}
    }
    match event.text("eventTimeZoneOffset") {
        None => push(
            &mut out,
            event,
            "eventTimeZoneOffset",
            "missing: every event needs an `eventTimeZoneOffset`".into(),
        ),
        Some(offset) if !offset_ok(offset) => push(
            &mut out,
            event,
            "eventTimeZoneOffset",
            format!("`{offset}` is not an offset such as `+02:00`"),
        ),
        _ => {}
    }
    if event.event_type != EventType::TransformationEvent {
        match event.text("action") {
            None => push(
                &mut out,
                event,
                "action",
                "missing: `ADD`, `OBSERVE` or `DELETE`".into(),
            ),
            Some("ADD" | "OBSERVE" | "DELETE") => {}
            Some(other) => push(
                &mut out,
                event,
                "action",
                format!("`{other}` is not `ADD`, `OBSERVE` or `DELETE`"),
            ),
        }
    }
    let nonempty = |name: &str| {
        event
            .fields
            .iter()
            .any(|f| f.name == name && !f.children.is_empty())
    };
    match event.event_type {
        EventType::ObjectEvent if !nonempty("epcList") && !nonempty("quantityList") => push(
            &mut out,
            event,
            "epcList",
            "an ObjectEvent names at least one object in `epcList` or `quantityList`".into(),
        ),
        EventType::AggregationEvent | EventType::AssociationEvent
            if matches!(event.text("action"), Some("ADD" | "DELETE"))
                && event.text("parentID").is_none() =>
        {
            push(
                &mut out,
                event,
                "parentID",
                "missing: packing and unpacking need a `parentID`".into(),
            )
        }
        EventType::TransactionEvent if !nonempty("bizTransactionList") => push(
            &mut out,
            event,
            "bizTransactionList",
            "a TransactionEvent needs at least one business transaction".into(),
        ),
        EventType::TransformationEvent
            if ![
                "inputEPCList",
                "inputQuantityList",
                "outputEPCList",
                "outputQuantityList",
            ]
            .iter()
            .any(|l| nonempty(l)) =>
        {
            push(
                &mut out,
                event,
                "inputEPCList",
                "a TransformationEvent needs inputs or outputs".into(),
            )
        }
        _ => {}
    }
    if let Some(error) = event.field("errorDeclaration")
        && error
            .child_text("declarationTime")
            .and_then(Timestamp::parse)
            .is_none()
    {
        push(
            &mut out,
            event,
            "errorDeclaration.declarationTime",
            "missing or not a date-time: an error declaration says when it was made".into(),
        );
    }
    if let Some(ilmd) = event.field("ilmd") {
        for child in &ilmd.children {
            let local = child
                .name
                .rsplit_once('}')
                .map_or(child.name.as_str(), |(_, l)| l);
            if matches!(
                local,
                "itemExpirationDate" | "bestBeforeDate" | "sellByDate"
            ) && parse_date_days(&child.text).is_none()
            {
                push(
                    &mut out,
                    event,
                    &format!("ilmd.{local}"),
                    format!("`{}` is not a date `YYYY-MM-DD`", child.text),
                );
            }
        }
    }
    for (list, item) in [
        ("epcList", "epc"),
        ("childEPCs", "epc"),
        ("inputEPCList", "epc"),
        ("outputEPCList", "epc"),
    ] {
        for (i, epc) in list_values(event, list, item) {
            if epc.text.is_empty() {
                push(
                    &mut out,
                    event,
                    &format!("{list}[{i}]"),
                    "empty identifier".into(),
                );
            } else {
                identifier(event, format!("{list}[{i}]"), &epc.text, &mut out);
            }
        }
    }
    if let Some(parent) = event.text("parentID") {
        identifier(event, "parentID".into(), parent, &mut out);
    }
    for list in [
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputQuantityList",
    ] {
        for (i, element) in list_values(event, list, "quantityElement") {
            match element.child_text("epcClass") {
                Some(class) => identifier(event, format!("{list}[{i}].epcClass"), class, &mut out),
                None => out.push(Problem {
                    location: event.location(Some(&format!("{list}[{i}].epcClass"))),
                    message: "missing: a quantity element needs an `epcClass`".into(),
                }),
            }
            if let Some(quantity) = element.child_text("quantity")
                && quantity.parse::<f64>().map_or(true, |q| !q.is_finite())
            {
                out.push(Problem {
                    location: event.location(Some(&format!("{list}[{i}].quantity"))),
                    message: format!("`{quantity}` is not a number"),
                });
            }
        }
    }
    for name in ["readPoint", "bizLocation"] {
        if let Some(id) = event.field(name).and_then(|f| f.child_text("id")) {
            identifier(event, format!("{name}.id"), id, &mut out);
        }
    }
    for (list, item) in [("sourceList", "source"), ("destinationList", "destination")] {
        for (i, party) in list_values(event, list, item) {
            identifier(event, format!("{list}[{i}]"), &party.text, &mut out);
        }
    }
    out
}
