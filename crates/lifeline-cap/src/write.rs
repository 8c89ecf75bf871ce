//! Writes the model as CAP 1.2 XML (quick-xml), elements in the schema's order.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::datetime;
use crate::model::{Alert, Area, Info, Resource, ValuePair};

/// The CAP 1.2 namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// `alert` as a CAP 1.2 XML document (UTF-8, indented, with an XML declaration).
///
/// Text is escaped for XML; characters that XML 1.0 cannot carry at all (C0 controls other
/// than tab, line feed and carriage return, U+FFFE, U+FFFF) are written as U+FFFD, and a
/// carriage return as `&#xD;` so that it survives a reader's line-end normalisation.
/// Date-times lose fractional seconds (CAP 1.2 section 3.3.2 allows none).
pub fn write(alert: &Alert) -> String {
    let mut out = Out(Writer::new_with_indent(Vec::new(), b' ', 2));
    out.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    write_alert(&mut out, alert, Some(NAMESPACE));
    let mut bytes = out.0.into_inner();
    bytes.push(b'\n');
    // Every piece written was a `&str`, so the document is UTF-8.
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// Writes `alert` as an element; `xmlns` is the default namespace to declare on it, if any
/// (none inside an EDXL-DE distribution that declares a `cap` prefix... see `edxl.rs`).
pub(crate) fn write_alert(out: &mut Out, alert: &Alert, xmlns: Option<&str>) {
    let mut start = BytesStart::new("alert");
    if let Some(namespace) = xmlns {
        start.push_attribute(("xmlns", namespace));
    }
    out.event(Event::Start(start));
    out.text("identifier", &alert.identifier);
    out.text("sender", &alert.sender);
    out.text("sent", &datetime::format(alert.sent));
    out.text("status", alert.status.as_str());
    out.text("msgType", alert.msg_type.as_str());
    out.optional("source", alert.source.as_deref());
    out.text("scope", alert.scope.as_str());
    out.optional("restriction", alert.restriction.as_deref());
    out.optional("addresses", alert.addresses.as_deref());
    for code in &alert.code {
        out.text("code", code);
    }
    out.optional("note", alert.note.as_deref());
    if !alert.references.is_empty() {
        let references: Vec<String> = alert.references.iter().map(ToString::to_string).collect();
        out.text("references", &references.join(" "));
    }
    out.optional("incidents", alert.incidents.as_deref());
    for info in &alert.info {
        write_info(out, info);
    }
    out.event(Event::End(BytesEnd::new("alert")));
}

fn write_info(out: &mut Out, info: &Info) {
    out.start("info");
    out.optional("language", info.language.as_deref());
    for category in &info.category {
        out.text("category", category.as_str());
    }
    out.text("event", &info.event);
    for response in &info.response_type {
        out.text("responseType", response.as_str());
    }
    out.text("urgency", info.urgency.as_str());
    out.text("severity", info.severity.as_str());
    out.text("certainty", info.certainty.as_str());
    out.optional("audience", info.audience.as_deref());
    for pair in &info.event_code {
        out.pair("eventCode", pair);
    }
    for (name, at) in [
        ("effective", info.effective),
        ("onset", info.onset),
        ("expires", info.expires),
    ] {
        if let Some(at) = at {
            out.text(name, &datetime::format(at));
        }
    }
    out.optional("senderName", info.sender_name.as_deref());
    out.optional("headline", info.headline.as_deref());
    out.optional("description", info.description.as_deref());
    out.optional("instruction", info.instruction.as_deref());
    out.optional("web", info.web.as_deref());
    out.optional("contact", info.contact.as_deref());
    for pair in &info.parameter {
        out.pair("parameter", pair);
    }
    for resource in &info.resource {
        write_resource(out, resource);
    }
    for area in &info.area {
        write_area(out, area);
    }
    out.end("info");
}

fn write_resource(out: &mut Out, resource: &Resource) {
    out.start("resource");
    out.text("resourceDesc", &resource.resource_desc);
    out.text("mimeType", &resource.mime_type);
    if let Some(size) = resource.size {
        out.text("size", &size.to_string());
    }
    out.optional("uri", resource.uri.as_deref());
    out.optional("derefUri", resource.deref_uri.as_deref());
    out.optional("digest", resource.digest.as_deref());
    out.end("resource");
}

fn write_area(out: &mut Out, area: &Area) {
    out.start("area");
    out.text("areaDesc", &area.area_desc);
    for polygon in &area.polygon {
        out.text("polygon", &polygon.to_string());
    }
    for circle in &area.circle {
        out.text("circle", &circle.to_string());
    }
    for pair in &area.geocode {
        out.pair("geocode", pair);
    }
    if let Some(altitude) = area.altitude {
        out.text("altitude", &decimal(altitude));
    }
    if let Some(ceiling) = area.ceiling {
        out.text("ceiling", &decimal(ceiling));
    }
    out.end("area");
}

/// An `xs:decimal`: Rust's shortest round-trip form, which never uses an exponent for
/// `Display`; a non-finite value (which `xs:decimal` cannot hold) as 0.
fn decimal(value: f64) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        "0".to_owned()
    }
}

/// The writer, over a `Vec<u8>`: writing to memory cannot fail, so the results of
/// quick-xml's calls carry no information and are dropped here, in one place.
pub(crate) struct Out(pub(crate) Writer<Vec<u8>>);

impl Out {
    pub(crate) fn event(&mut self, event: Event<'_>) {
        let _ = self.0.write_event(event);
    }

    pub(crate) fn start(&mut self, name: &str) {
        self.event(Event::Start(BytesStart::new(name)));
    }

    pub(crate) fn end(&mut self, name: &str) {
        self.event(Event::End(BytesEnd::new(name)));
    }

    pub(crate) fn text(&mut self, name: &str, value: &str) {
        self.start(name);
        let escaped = xml_text(value);
        self.event(Event::Text(BytesText::from_escaped(escaped.as_str())));
        self.end(name);
    }

    fn optional(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.text(name, value);
        }
    }

    fn pair(&mut self, name: &str, pair: &ValuePair) {
        self.start(name);
        self.text("valueName", &pair.value_name);
        self.text("value", &pair.value);
        self.end(name);
    }
}

/// `value` as XML character data (see [`write`]).
pub(crate) fn xml_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
