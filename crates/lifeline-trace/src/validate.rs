//! Checks of one event against the rules of EPCIS 2.0 (§7, the JSON schema and XSD
//! constraints that matter for traceability) and of GS1 identifiers: every problem is
//! collected, each naming the event (index, eventID) and the field.

use lifeline_text::Excerpt;

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
            message: format!("malformed GS1 identifier `{}`: {error}", Excerpt(value)),
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

/// What one item of an EPCIS list holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    /// Text only (`epc`, `set`).
    Text,
    /// Text and attributes (`bizTransaction`, `source`, `destination` with their `type`).
    Value,
    /// Elements only (`quantityElement`, `sensorElement`).
    Elements,
}

/// The EPCIS fields that hold only a list of items (for `persistentDisposition`, of `set`
/// and `unset` values): their item names, and what an item holds.
const LISTS: &[(&str, &[&str], Item)] = &[
    ("epcList", &["epc"], Item::Text),
    ("childEPCs", &["epc"], Item::Text),
    ("inputEPCList", &["epc"], Item::Text),
    ("outputEPCList", &["epc"], Item::Text),
    ("quantityList", &["quantityElement"], Item::Elements),
    ("childQuantityList", &["quantityElement"], Item::Elements),
    ("inputQuantityList", &["quantityElement"], Item::Elements),
    ("outputQuantityList", &["quantityElement"], Item::Elements),
    ("sensorElementList", &["sensorElement"], Item::Elements),
    ("bizTransactionList", &["bizTransaction"], Item::Value),
    ("sourceList", &["source"], Item::Value),
    ("destinationList", &["destination"], Item::Value),
    ("persistentDisposition", &["set", "unset"], Item::Text),
];

/// Problems of shape (part of [`check_event`]): a standard field given more than once,
/// text beside a list's items, an element that is not one of its items, an EPC with
/// attributes or elements inside, a bare term where a vocabulary URI belongs. The XSD, the
/// JSON Schema or the CBV forbids each of them, and JSON-LD cannot hold them as XML does:
/// an event with none of them keeps its Event Hash ID when written as JSON-LD and read back;
/// one with any could not be stored as JSON-LD without losing or changing part of what its
/// hash covers.
pub fn shape_problems(event: &Event) -> Vec<Problem> {
    let mut out = Vec::new();
    repeated_fields(event, &mut out);
    list_shapes(event, &mut out);
    vocabulary_values(event, &mut out);
    out
}

/// Values of the fields the EPCIS 2.0 JSON-LD context types `@vocab` (bizStep,
/// disposition, business transaction and source/destination types, error reasons, sensor
/// report types and components) must be URIs: in JSON-LD a bare term stands for a CBV or
/// GS1 URI, so an XML value such as `receiving` would mean something else there.
fn vocabulary_values(event: &Event, out: &mut Vec<Problem>) {
    // The field's path is only spelled out for a problem: this runs on every event.
    let mut check = |field: &dyn Fn() -> String, value: &str| {
        if !value.is_empty() && !value.contains(':') {
            let message = format!(
                "`{}` is not a URI: write it in full (in JSON-LD a bare term stands for a CBV or GS1 URI)",
                Excerpt(value)
            );
            push(out, event, &field(), message);
        }
    };
    for field in &event.fields {
        let name = field.name.as_str();
        match name {
            "bizStep" | "disposition" => check(&|| name.to_owned(), &field.text),
            "persistentDisposition" => {
                for value in &field.children {
                    check(&|| format!("{name}.{}", Excerpt(&value.name)), &value.text);
                }
            }
            "errorDeclaration" => {
                for reason in field.children_named("reason") {
                    check(&|| "errorDeclaration.reason".into(), &reason.text);
                }
            }
            "bizTransactionList" | "sourceList" | "destinationList" => {
                for (i, item) in field.children.iter().enumerate() {
                    for kind in item.children_named("type") {
                        check(&|| format!("{name}[{i}].type"), &kind.text);
                    }
                }
            }
            "sensorElementList" => {
                for (i, sensor) in field.children.iter().enumerate() {
                    for (j, report) in sensor.children_named("sensorReport").enumerate() {
                        for value in &report.children {
                            if matches!(value.name.as_str(), "type" | "exception" | "component") {
                                let at = || format!("{name}[{i}].sensorReport[{j}].{}", value.name);
                                check(&at, &value.text);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn list_shapes(event: &Event, out: &mut Vec<Problem>) {
    for field in &event.fields {
        let Some(&(name, items, holds)) = LISTS.iter().find(|(name, ..)| *name == field.name)
        else {
            if field.name == "errorDeclaration" {
                error_declaration_shape(event, field, out);
            }
            continue;
        };
        let expected = || items.join("`, `");
        if !field.text.is_empty() {
            push(
                out,
                event,
                name,
                format!(
                    "holds the text `{}` beside its items: only `{}` elements belong here",
                    Excerpt(&field.text),
                    expected()
                ),
            );
        }
        for (i, item) in field.children.iter().enumerate() {
            let at = || format!("{name}[{i}]");
            if !items.contains(&item.name.as_str()) {
                let message = format!(
                    "`{}` does not belong here: only `{}` elements do",
                    Excerpt(&item.name),
                    expected()
                );
                push(out, event, &at(), message);
            } else if holds == Item::Text && !item.children.is_empty() {
                let message = "has attributes or elements inside: it holds text only".into();
                push(out, event, &at(), message);
            } else if holds == Item::Elements && !item.text.is_empty() {
                let message = format!(
                    "holds the text `{}` beside its elements",
                    Excerpt(&item.text)
                );
                push(out, event, &at(), message);
            }
        }
    }
}

/// The shape of `errorDeclaration`: no text of its own; `correctiveEventIDs` holds only
/// `correctiveEventID` values.
fn error_declaration_shape(event: &Event, field: &Element, out: &mut Vec<Problem>) {
    if !field.text.is_empty() {
        push(
            out,
            event,
            "errorDeclaration",
            format!(
                "holds the text `{}` beside its elements",
                Excerpt(&field.text)
            ),
        );
    }
    for ids in field.children_named("correctiveEventIDs") {
        let shaped = ids.text.is_empty()
            && ids
                .children
                .iter()
                .all(|id| id.name == "correctiveEventID" && id.children.is_empty());
        if !shaped {
            push(
                out,
                event,
                "errorDeclaration.correctiveEventIDs",
                "holds something other than `correctiveEventID` values".into(),
            );
        }
    }
}

/// The standard fields an event has at most once (EPCIS 2.0 XSD and JSON Schema).
const ONCE: &[&str] = &[
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "errorDeclaration",
    "parentID",
    "epcList",
    "childEPCs",
    "inputEPCList",
    "outputEPCList",
    "quantityList",
    "childQuantityList",
    "inputQuantityList",
    "outputQuantityList",
    "action",
    "transformationID",
    "bizStep",
    "disposition",
    "persistentDisposition",
    "readPoint",
    "bizLocation",
    "bizTransactionList",
    "sourceList",
    "destinationList",
    "sensorElementList",
    "ilmd",
];

/// A standard field given more than once. An event has a dozen fields or so: comparing
/// each with those before it costs less than sorting a copy of their names.
fn repeated_fields(event: &Event, out: &mut Vec<Problem>) {
    let fields = &event.fields;
    for (i, field) in fields.iter().enumerate() {
        let name = field.name.as_str();
        let before = fields[..i].iter().filter(|f| f.name == name).count();
        // Reported once, at its second occurrence, with the full count.
        if before == 1 && ONCE.contains(&name) {
            let count = fields.iter().filter(|f| f.name == name).count();
            let message = format!("given {count} times: an event has it at most once");
            push(out, event, name, message);
        }
    }
}

/// Every problem of `event`; empty when it is valid.
pub fn check_event(event: &Event) -> Vec<Problem> {
    let mut out = shape_problems(event);
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
                "`{}` is not a date-time with a time zone, such as `2024-05-01T10:00:00.000+02:00`",
                Excerpt(time)
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
            format!("`{}` is not an offset such as `+02:00`", Excerpt(offset)),
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
                format!("`{}` is not `ADD`, `OBSERVE` or `DELETE`", Excerpt(other)),
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
                    &format!("ilmd.{}", Excerpt(local)),
                    format!("`{}` is not a date `YYYY-MM-DD`", Excerpt(&child.text)),
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
                    message: format!("`{}` is not a number", Excerpt(quantity)),
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
