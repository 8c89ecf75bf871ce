//! Reads CAP 1.2 XML into the model: every problem named by its element path
//! (`alert/info[1]/urgency: ...`), then the whole document checked against the CAP 1.2
//! schema through `lifeline-xsd`.
//!
//! Two layers, because neither is enough alone. The reader's own checks give the clear
//! message (a missing required element by its own path, a value list with the values it
//! takes) and apply the rules of the standard's prose that the schema cannot express
//! (CAP 1.2 section 3.2: `identifier` and `sender` without spaces, commas, `<` or `&`;
//! `references` as `sender,identifier,sent` triples; `addresses` required for `Private`
//! scope; polygons closed with at least four points; circles as `lat,lon radius`;
//! `ceiling` only with `altitude`). The schema then checks what the model does not keep,
//! element order above all; it runs only when the reader found nothing, so a problem is
//! never reported twice.

use lifeline_text::excerpt;
use lifeline_xsd::{SchemaSet, XsdPath};
use time::OffsetDateTime;

use crate::datetime;
use crate::error::{CapError, CapErrors};
use crate::model::*;
use crate::tree::{self, Node};
use crate::write::NAMESPACE;

/// The most problems one read keeps; the rest are counted in [`CapErrors::omitted`].
pub const MAX_ERRORS: usize = 100;

/// The XML Signature namespace: CAP 1.2 allows its elements (an enveloped `Signature`)
/// after the last `info`.
const XMLDSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// CAP elements that may repeat: their paths carry a position (`info[2]`), the others none.
const REPEATING: &[&str] = &[
    "code",
    "info",
    "category",
    "responseType",
    "eventCode",
    "parameter",
    "resource",
    "area",
    "polygon",
    "circle",
    "geocode",
    // EDXL-DE 1.0
    "senderRole",
    "recipientRole",
    "keyword",
    "distributionReference",
    "explicitAddress",
    "targetArea",
    "contentObject",
    "keyXMLContent",
    "embeddedXMLContent",
];

/// Reads a CAP 1.2 alert document; `Err` holds every problem found, each at its element.
pub fn read(text: &str) -> Result<Alert, CapErrors> {
    let root = tree::parse(text)?;
    let alert = read_root(&root)?;
    schema_check(SchemaSet::Cap1_2, text)?;
    Ok(alert)
}

/// Checks `text` against an embedded schema set only; problems as [`CapError`]s with CAP
/// paths.
pub(crate) fn schema_check(set: SchemaSet, text: &str) -> Result<(), CapErrors> {
    let validation = lifeline_xsd::validate(set, text.as_bytes()).map_err(|error| {
        CapErrors::one(
            "",
            None,
            format!("the {set} could not check the document: {error}"),
        )
    })?;
    if validation.is_valid() {
        return Ok(());
    }
    Err(CapErrors {
        errors: validation
            .problems
            .iter()
            .take(MAX_ERRORS)
            .map(|problem| CapError {
                path: cap_path(&problem.path),
                line: problem.line,
                message: format!(
                    "{} ({set})",
                    lifeline_text::escaped(&problem.short_message())
                ),
            })
            .collect(),
        omitted: validation.problems.len().saturating_sub(MAX_ERRORS)
            + usize::try_from(validation.omitted).unwrap_or(usize::MAX),
    })
}

/// A `lifeline-xsd` path written the CAP way: `alert/info[1]/urgency`.
pub fn cap_path(path: &XsdPath) -> String {
    let mut out = String::new();
    for (depth, step) in path.elements.iter().enumerate() {
        if depth > 0 {
            out.push('/');
        }
        out.push_str(&step.name);
        if depth > 0 && REPEATING.contains(&step.name.as_str()) {
            out.push_str(&format!("[{}]", step.index));
        }
    }
    if let Some(attribute) = &path.attribute {
        out.push_str("/@");
        out.push_str(attribute);
    }
    out
}

/// Reads the root element as a CAP alert (the reader's own checks, no schema).
pub(crate) fn read_root(root: &Node) -> Result<Alert, CapErrors> {
    let mut ctx = Ctx::default();
    let alert = read_alert(root, "alert", &mut ctx);
    ctx.finish(alert)
}

#[derive(Default)]
pub(crate) struct Ctx {
    errors: Vec<CapError>,
    omitted: usize,
}

impl Ctx {
    pub(crate) fn error(&mut self, path: &str, line: u32, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(CapError {
                path: path.to_owned(),
                line: Some(line),
                message: message.into(),
            });
        } else {
            self.omitted += 1;
        }
    }

    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, CapErrors> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(CapErrors {
                errors: if self.errors.is_empty() {
                    // Unreachable in practice: every `None` comes with an error.
                    vec![CapError {
                        path: "alert".to_owned(),
                        line: None,
                        message: "not a CAP alert".to_owned(),
                    }]
                } else {
                    self.errors
                },
                omitted: self.omitted,
            }),
        }
    }
}

/// The children of `node` with their paths, positions counted among same-named siblings.
pub(crate) fn children<'a>(node: &'a Node, path: &str) -> Vec<(&'a Node, String)> {
    let mut seen: Vec<(&str, u32)> = Vec::new();
    node.children
        .iter()
        .map(|child| {
            let index = match seen.iter_mut().find(|(name, _)| *name == child.name) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    seen.push((&child.name, 1));
                    1
                }
            };
            let path = if REPEATING.contains(&child.name.as_str()) {
                format!("{path}/{}[{index}]", child.name)
            } else {
                format!("{path}/{}", child.name)
            };
            (child, path)
        })
        .collect()
}

/// The text of a leaf element; an element inside one is an error.
pub(crate) fn leaf<'a>(node: &'a Node, path: &str, ctx: &mut Ctx) -> Option<&'a str> {
    if let Some(child) = node.children.first() {
        ctx.error(
            path,
            child.line,
            format!(
                "holds the element `{}`; CAP 1.2 gives `{}` text only",
                excerpt(&child.name),
                node.name
            ),
        );
        return None;
    }
    Some(&node.text)
}

pub(crate) fn text(node: &Node, path: &str, ctx: &mut Ctx) -> Option<String> {
    leaf(node, path, ctx).map(str::to_owned)
}

/// Sets a field that may appear once.
pub(crate) fn once<T>(
    slot: &mut Option<T>,
    value: Option<T>,
    node: &Node,
    path: &str,
    ctx: &mut Ctx,
) {
    if slot.is_some() {
        ctx.error(
            path,
            node.line,
            format!("`{}` appears more than once; CAP 1.2 allows one", node.name),
        );
    } else {
        *slot = value;
    }
}

/// A required field, or an error at the path of the missing element.
pub(crate) fn required<T>(
    slot: Option<T>,
    parent: &Node,
    parent_path: &str,
    name: &str,
    seen: bool,
    ctx: &mut Ctx,
) -> Option<T> {
    if slot.is_none() && !seen {
        ctx.error(
            &format!("{parent_path}/{name}"),
            parent.line,
            format!("missing: CAP 1.2 requires `{name}` in `{}`", parent.name),
        );
    }
    slot
}

/// A value of one of the standard's lists.
pub(crate) fn listed<T: Copy>(
    node: &Node,
    path: &str,
    ctx: &mut Ctx,
    what: &str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    spell: fn(T) -> &'static str,
) -> Option<T> {
    let value = leaf(node, path, ctx)?;
    if let Some(parsed) = parse(value) {
        return Some(parsed);
    }
    let names: Vec<&str> = all.iter().map(|&v| spell(v)).collect();
    let hint = lifeline_text::suggest(value.trim(), names.iter().copied())
        .map(|near| format!(" (did you mean `{near}`?)"))
        .unwrap_or_default();
    ctx.error(
        path,
        node.line,
        format!(
            "`{}` is not a CAP 1.2 {what}; the values are {} (CAP 1.2 section 3.2){hint}",
            excerpt(value),
            names.join(", ")
        ),
    );
    None
}

pub(crate) fn date_time(node: &Node, path: &str, ctx: &mut Ctx) -> Option<OffsetDateTime> {
    let value = leaf(node, path, ctx)?;
    match datetime::parse(value) {
        Ok(at) => Some(at),
        Err(message) => {
            ctx.error(path, node.line, format!("`{}`: {message}", excerpt(value)));
            None
        }
    }
}

/// An identifier of CAP 1.2 section 3.2.1 (`identifier`, `sender`): no spaces, commas,
/// `<` or `&`.
fn token(node: &Node, path: &str, ctx: &mut Ctx) -> Option<String> {
    let value = leaf(node, path, ctx)?;
    if value.is_empty() {
        ctx.error(path, node.line, "empty");
        return None;
    }
    if value
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&'))
    {
        ctx.error(
            path,
            node.line,
            format!(
                "`{}` holds a space, comma, `<` or `&`, which CAP 1.2 forbids here (section 3.2.1)",
                excerpt(value)
            ),
        );
        return None;
    }
    Some(value.to_owned())
}

/// Checks the namespace of a child; `false` (after an error, or for an XML signature the
/// caller skips) when it is not a CAP element.
fn in_cap(child: &Node, path: &str, allow_signature: bool, ctx: &mut Ctx) -> bool {
    if child.namespace == NAMESPACE {
        return true;
    }
    if allow_signature && child.namespace == XMLDSIG {
        return false;
    }
    ctx.error(
        path,
        child.line,
        format!(
            "`{}` is in namespace `{}`, not CAP 1.2's `{NAMESPACE}`",
            excerpt(&child.name),
            excerpt(&child.namespace)
        ),
    );
    false
}

fn unknown(child: &Node, parent: &Node, path: &str, known: &[&str], ctx: &mut Ctx) {
    let hint = lifeline_text::suggest(&child.name, known.iter().copied())
        .map(|near| format!(" (did you mean `{near}`?)"))
        .unwrap_or_default();
    ctx.error(
        path,
        child.line,
        format!(
            "`{}` is not an element of CAP 1.2 `{}`{hint}",
            excerpt(&child.name),
            parent.name
        ),
    );
}

const ALERT_ELEMENTS: &[&str] = &[
    "identifier",
    "sender",
    "sent",
    "status",
    "msgType",
    "source",
    "scope",
    "restriction",
    "addresses",
    "code",
    "note",
    "references",
    "incidents",
    "info",
];

pub(crate) fn read_alert(node: &Node, path: &str, ctx: &mut Ctx) -> Option<Alert> {
    if node.name != "alert" || node.namespace != NAMESPACE {
        ctx.error(
            path,
            node.line,
            format!(
                "the root element is `{}` in namespace `{}`; a CAP 1.2 alert is `alert` in `{NAMESPACE}`",
                excerpt(&node.name),
                excerpt(&node.namespace)
            ),
        );
        return None;
    }
    let mut identifier = None;
    let mut sender = None;
    let mut sent = None;
    let mut status = None;
    let mut msg_type = None;
    let mut source = None;
    let mut scope = None;
    let mut restriction = None;
    let mut addresses = None;
    let mut code = Vec::new();
    let mut note = None;
    let mut references = None;
    let mut incidents = None;
    let mut info = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (child, child_path) in children(node, path) {
        if !in_cap(child, &child_path, true, ctx) {
            continue;
        }
        let p = child_path.as_str();
        match child.name.as_str() {
            "identifier" => once(&mut identifier, token(child, p, ctx), child, p, ctx),
            "sender" => once(&mut sender, token(child, p, ctx), child, p, ctx),
            "sent" => once(&mut sent, date_time(child, p, ctx), child, p, ctx),
            "status" => once(
                &mut status,
                listed(
                    child,
                    p,
                    ctx,
                    "status",
                    Status::parse,
                    Status::ALL,
                    Status::as_str,
                ),
                child,
                p,
                ctx,
            ),
            "msgType" => once(
                &mut msg_type,
                listed(
                    child,
                    p,
                    ctx,
                    "msgType",
                    MsgType::parse,
                    MsgType::ALL,
                    MsgType::as_str,
                ),
                child,
                p,
                ctx,
            ),
            "source" => once(&mut source, text(child, p, ctx), child, p, ctx),
            "scope" => once(
                &mut scope,
                listed(
                    child,
                    p,
                    ctx,
                    "scope",
                    Scope::parse,
                    Scope::ALL,
                    Scope::as_str,
                ),
                child,
                p,
                ctx,
            ),
            "restriction" => once(&mut restriction, text(child, p, ctx), child, p, ctx),
            "addresses" => once(&mut addresses, text(child, p, ctx), child, p, ctx),
            "code" => code.extend(text(child, p, ctx)),
            "note" => once(&mut note, text(child, p, ctx), child, p, ctx),
            "references" => {
                let parsed =
                    leaf(child, p, ctx).and_then(|value| parse_references(value, child, p, ctx));
                once(&mut references, parsed, child, p, ctx);
            }
            "incidents" => once(&mut incidents, text(child, p, ctx), child, p, ctx),
            "info" => info.extend(read_info(child, p, ctx)),
            _ => {
                unknown(child, node, p, ALERT_ELEMENTS, ctx);
                continue;
            }
        }
        seen.push(
            ALERT_ELEMENTS
                .iter()
                .copied()
                .find(|&name| name == child.name)
                .unwrap_or(""),
        );
    }
    let was = |name: &str| seen.contains(&name);
    let identifier = required(identifier, node, path, "identifier", was("identifier"), ctx);
    let sender = required(sender, node, path, "sender", was("sender"), ctx);
    let sent = required(sent, node, path, "sent", was("sent"), ctx);
    let status = required(status, node, path, "status", was("status"), ctx);
    let msg_type = required(msg_type, node, path, "msgType", was("msgType"), ctx);
    let scope = required(scope, node, path, "scope", was("scope"), ctx);
    if scope == Some(Scope::Private) && addresses.is_none() {
        ctx.error(
            &format!("{path}/addresses"),
            node.line,
            "missing: CAP 1.2 requires `addresses` when `scope` is `Private` (section 3.2.1)",
        );
    }
    Some(Alert {
        identifier: identifier?,
        sender: sender?,
        sent: sent?,
        status: status?,
        msg_type: msg_type?,
        source,
        scope: scope?,
        restriction,
        addresses,
        code,
        note,
        references: references.unwrap_or_default(),
        incidents,
        info,
    })
}

/// `references`: whitespace-separated `sender,identifier,sent` triples.
fn parse_references(value: &str, node: &Node, path: &str, ctx: &mut Ctx) -> Option<Vec<Reference>> {
    let mut out = Vec::new();
    let mut ok = true;
    for entry in value.split_whitespace() {
        let parts: Vec<&str> = entry.split(',').collect();
        let [sender, identifier, sent] = parts.as_slice() else {
            ctx.error(
                path,
                node.line,
                format!(
                    "`{}` is not `sender,identifier,sent` (CAP 1.2 section 3.2.1)",
                    excerpt(entry)
                ),
            );
            ok = false;
            continue;
        };
        if sender.is_empty() || identifier.is_empty() {
            ctx.error(
                path,
                node.line,
                format!("`{}`: empty sender or identifier", excerpt(entry)),
            );
            ok = false;
            continue;
        }
        if let Err(message) = datetime::parse(sent) {
            ctx.error(
                path,
                node.line,
                format!("`{}`: the sent part: {message}", excerpt(entry)),
            );
            ok = false;
            continue;
        }
        out.push(Reference {
            sender: (*sender).to_owned(),
            identifier: (*identifier).to_owned(),
            sent: (*sent).to_owned(),
        });
    }
    ok.then_some(out)
}

const INFO_ELEMENTS: &[&str] = &[
    "language",
    "category",
    "event",
    "responseType",
    "urgency",
    "severity",
    "certainty",
    "audience",
    "eventCode",
    "effective",
    "onset",
    "expires",
    "senderName",
    "headline",
    "description",
    "instruction",
    "web",
    "contact",
    "parameter",
    "resource",
    "area",
];

fn read_info(node: &Node, path: &str, ctx: &mut Ctx) -> Option<Info> {
    let mut language = None;
    let mut category = Vec::new();
    let mut event = None;
    let mut response_type = Vec::new();
    let mut urgency = None;
    let mut severity = None;
    let mut certainty = None;
    let mut audience = None;
    let mut event_code = Vec::new();
    let mut effective = None;
    let mut onset = None;
    let mut expires = None;
    let mut sender_name = None;
    let mut headline = None;
    let mut description = None;
    let mut instruction = None;
    let mut web = None;
    let mut contact = None;
    let mut parameter = Vec::new();
    let mut resource = Vec::new();
    let mut area = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut bad = false;
    for (child, child_path) in children(node, path) {
        if !in_cap(child, &child_path, false, ctx) {
            bad = true;
            continue;
        }
        let p = child_path.as_str();
        let before = ctx.errors.len() + ctx.omitted;
        match child.name.as_str() {
            "language" => once(&mut language, text(child, p, ctx), child, p, ctx),
            "category" => category.extend(listed(
                child,
                p,
                ctx,
                "category",
                Category::parse,
                Category::ALL,
                Category::as_str,
            )),
            "event" => once(&mut event, text(child, p, ctx), child, p, ctx),
            "responseType" => response_type.extend(listed(
                child,
                p,
                ctx,
                "responseType",
                ResponseType::parse,
                ResponseType::ALL,
                ResponseType::as_str,
            )),
            "urgency" => once(
                &mut urgency,
                listed(
                    child,
                    p,
                    ctx,
                    "urgency",
                    Urgency::parse,
                    Urgency::ALL,
                    Urgency::as_str,
                ),
                child,
                p,
                ctx,
            ),
            "severity" => once(
                &mut severity,
                listed(
                    child,
                    p,
                    ctx,
                    "severity",
                    Severity::parse,
                    Severity::ALL,
                    Severity::as_str,
                ),
                child,
                p,
                ctx,
            ),
            "certainty" => once(
                &mut certainty,
                listed(
                    child,
                    p,
                    ctx,
                    "certainty",
                    Certainty::parse,
                    Certainty::ALL,
                    Certainty::as_str,
                ),
                child,
                p,
                ctx,
            ),
            "audience" => once(&mut audience, text(child, p, ctx), child, p, ctx),
            "eventCode" => event_code.extend(pair(child, p, ctx)),
            "effective" => once(&mut effective, date_time(child, p, ctx), child, p, ctx),
            "onset" => once(&mut onset, date_time(child, p, ctx), child, p, ctx),
            "expires" => once(&mut expires, date_time(child, p, ctx), child, p, ctx),
            "senderName" => once(&mut sender_name, text(child, p, ctx), child, p, ctx),
            "headline" => once(&mut headline, text(child, p, ctx), child, p, ctx),
            "description" => once(&mut description, text(child, p, ctx), child, p, ctx),
            "instruction" => once(&mut instruction, text(child, p, ctx), child, p, ctx),
            "web" => once(&mut web, text(child, p, ctx), child, p, ctx),
            "contact" => once(&mut contact, text(child, p, ctx), child, p, ctx),
            "parameter" => parameter.extend(pair(child, p, ctx)),
            "resource" => resource.extend(read_resource(child, p, ctx)),
            "area" => area.extend(read_area(child, p, ctx)),
            _ => {
                unknown(child, node, p, INFO_ELEMENTS, ctx);
                bad = true;
                continue;
            }
        }
        if ctx.errors.len() + ctx.omitted > before {
            bad = true;
        }
        seen.push(child.name.clone());
    }
    let was = |name: &str| seen.iter().any(|seen| seen == name);
    if category.is_empty() && !was("category") {
        ctx.error(
            &format!("{path}/category"),
            node.line,
            "missing: CAP 1.2 requires at least one `category` in `info`",
        );
    }
    let event = required(event, node, path, "event", was("event"), ctx);
    let urgency = required(urgency, node, path, "urgency", was("urgency"), ctx);
    let severity = required(severity, node, path, "severity", was("severity"), ctx);
    let certainty = required(certainty, node, path, "certainty", was("certainty"), ctx);
    if bad || category.is_empty() {
        return None;
    }
    Some(Info {
        language,
        category,
        event: event?,
        response_type,
        urgency: urgency?,
        severity: severity?,
        certainty: certainty?,
        audience,
        event_code,
        effective,
        onset,
        expires,
        sender_name,
        headline,
        description,
        instruction,
        web,
        contact,
        parameter,
        resource,
        area,
    })
}

/// `valueName` and `value` (`eventCode`, `parameter`, `geocode`).
fn pair(node: &Node, path: &str, ctx: &mut Ctx) -> Option<ValuePair> {
    let mut value_name = None;
    let mut value = None;
    let mut seen: Vec<&str> = Vec::new();
    for (child, child_path) in children(node, path) {
        if !in_cap(child, &child_path, false, ctx) {
            continue;
        }
        let p = child_path.as_str();
        match child.name.as_str() {
            "valueName" => once(&mut value_name, text(child, p, ctx), child, p, ctx),
            "value" => once(&mut value, text(child, p, ctx), child, p, ctx),
            _ => {
                unknown(child, node, p, &["valueName", "value"], ctx);
                continue;
            }
        }
        seen.push(if child.name == "value" {
            "value"
        } else {
            "valueName"
        });
    }
    let value_name = required(
        value_name,
        node,
        path,
        "valueName",
        seen.contains(&"valueName"),
        ctx,
    );
    let value = required(value, node, path, "value", seen.contains(&"value"), ctx);
    Some(ValuePair {
        value_name: value_name?,
        value: value?,
    })
}

const RESOURCE_ELEMENTS: &[&str] = &[
    "resourceDesc",
    "mimeType",
    "size",
    "uri",
    "derefUri",
    "digest",
];

fn read_resource(node: &Node, path: &str, ctx: &mut Ctx) -> Option<Resource> {
    let mut resource_desc = None;
    let mut mime_type = None;
    let mut size = None;
    let mut uri = None;
    let mut deref_uri = None;
    let mut digest = None;
    let mut seen: Vec<String> = Vec::new();
    for (child, child_path) in children(node, path) {
        if !in_cap(child, &child_path, false, ctx) {
            continue;
        }
        let p = child_path.as_str();
        match child.name.as_str() {
            "resourceDesc" => once(&mut resource_desc, text(child, p, ctx), child, p, ctx),
            "mimeType" => once(&mut mime_type, text(child, p, ctx), child, p, ctx),
            "size" => {
                let parsed =
                    leaf(child, p, ctx).and_then(|value| match value.trim().parse::<u64>() {
                        Ok(size) => Some(size),
                        Err(_) => {
                            ctx.error(
                                p,
                                child.line,
                                format!(
                                    "`{}` is not a size in bytes (a whole number)",
                                    excerpt(value)
                                ),
                            );
                            None
                        }
                    });
                once(&mut size, parsed, child, p, ctx);
            }
            "uri" => once(&mut uri, text(child, p, ctx), child, p, ctx),
            "derefUri" => once(&mut deref_uri, text(child, p, ctx), child, p, ctx),
            "digest" => once(&mut digest, text(child, p, ctx), child, p, ctx),
            _ => {
                unknown(child, node, p, RESOURCE_ELEMENTS, ctx);
                continue;
            }
        }
        seen.push(child.name.clone());
    }
    let was = |name: &str| seen.iter().any(|seen| seen == name);
    let resource_desc = required(
        resource_desc,
        node,
        path,
        "resourceDesc",
        was("resourceDesc"),
        ctx,
    );
    let mime_type = required(mime_type, node, path, "mimeType", was("mimeType"), ctx);
    Some(Resource {
        resource_desc: resource_desc?,
        mime_type: mime_type?,
        size,
        uri,
        deref_uri,
        digest,
    })
}

const AREA_ELEMENTS: &[&str] = &[
    "areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling",
];

fn read_area(node: &Node, path: &str, ctx: &mut Ctx) -> Option<Area> {
    let mut area_desc = None;
    let mut polygon = Vec::new();
    let mut circle = Vec::new();
    let mut geocode = Vec::new();
    let mut altitude = None;
    let mut ceiling = None;
    let mut seen: Vec<String> = Vec::new();
    for (child, child_path) in children(node, path) {
        if !in_cap(child, &child_path, false, ctx) {
            continue;
        }
        let p = child_path.as_str();
        match child.name.as_str() {
            "areaDesc" => once(&mut area_desc, text(child, p, ctx), child, p, ctx),
            "polygon" => polygon
                .extend(leaf(child, p, ctx).and_then(|value| parse_polygon(value, child, p, ctx))),
            "circle" => circle
                .extend(leaf(child, p, ctx).and_then(|value| parse_circle(value, child, p, ctx))),
            "geocode" => geocode.extend(pair(child, p, ctx)),
            "altitude" => once(
                &mut altitude,
                leaf(child, p, ctx).and_then(|value| parse_decimal(value, child, p, ctx)),
                child,
                p,
                ctx,
            ),
            "ceiling" => once(
                &mut ceiling,
                leaf(child, p, ctx).and_then(|value| parse_decimal(value, child, p, ctx)),
                child,
                p,
                ctx,
            ),
            _ => {
                unknown(child, node, p, AREA_ELEMENTS, ctx);
                continue;
            }
        }
        seen.push(child.name.clone());
    }
    let was = |name: &str| seen.iter().any(|seen| seen == name);
    if was("ceiling") && !was("altitude") {
        ctx.error(
            &format!("{path}/ceiling"),
            node.line,
            "`ceiling` without `altitude`: CAP 1.2 uses it only in combination with `altitude` (section 3.2.4)",
        );
    }
    let area_desc = required(area_desc, node, path, "areaDesc", was("areaDesc"), ctx);
    Some(Area {
        area_desc: area_desc?,
        polygon,
        circle,
        geocode,
        altitude,
        ceiling,
    })
}

/// An `xs:decimal` (optional sign, digits, optional fraction; no exponent, no NaN).
fn parse_decimal(value: &str, node: &Node, path: &str, ctx: &mut Ctx) -> Option<f64> {
    let trimmed = value.trim();
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let shaped = !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    match trimmed.parse::<f64>() {
        Ok(number) if shaped && number.is_finite() => Some(number),
        _ => {
            ctx.error(
                path,
                node.line,
                format!("`{}` is not a decimal number", excerpt(value)),
            );
            None
        }
    }
}

/// A WGS 84 `latitude,longitude` pair.
fn parse_point(text: &str) -> Result<Point, String> {
    let Some((lat, lon)) = text.split_once(',') else {
        return Err(format!("`{}` is not `latitude,longitude`", excerpt(text)));
    };
    let number = |part: &str| part.parse::<f64>().ok().filter(|n| n.is_finite());
    match (number(lat), number(lon)) {
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            Ok(Point { lat, lon })
        }
        (Some(_), Some(_)) => Err(format!(
            "`{}`: latitude must be within -90..90 and longitude within -180..180 (WGS 84)",
            excerpt(text)
        )),
        _ => Err(format!(
            "`{}` is not `latitude,longitude` in decimal degrees",
            excerpt(text)
        )),
    }
}

fn parse_polygon(value: &str, node: &Node, path: &str, ctx: &mut Ctx) -> Option<Polygon> {
    let mut points = Vec::new();
    for pair in value.split_whitespace() {
        match parse_point(pair) {
            Ok(point) => points.push(point),
            Err(message) => {
                ctx.error(path, node.line, message);
                return None;
            }
        }
    }
    if points.len() < 4 {
        ctx.error(
            path,
            node.line,
            format!("{} points; a CAP 1.2 polygon has at least four, the first and last the same (section 3.2.4)", points.len()),
        );
        return None;
    }
    if points.first() != points.last() {
        ctx.error(
            path,
            node.line,
            "the polygon is not closed: its first and last points differ (CAP 1.2 section 3.2.4)",
        );
        return None;
    }
    Some(Polygon(points))
}

fn parse_circle(value: &str, node: &Node, path: &str, ctx: &mut Ctx) -> Option<Circle> {
    let mut parts = value.split_whitespace();
    let (Some(center), Some(radius), None) = (parts.next(), parts.next(), parts.next()) else {
        ctx.error(
            path,
            node.line,
            format!(
                "`{}` is not `latitude,longitude radius` (CAP 1.2 section 3.2.4)",
                excerpt(value)
            ),
        );
        return None;
    };
    let center = match parse_point(center) {
        Ok(center) => center,
        Err(message) => {
            ctx.error(path, node.line, message);
            return None;
        }
    };
    match radius.parse::<f64>() {
        Ok(radius_km) if radius_km.is_finite() && radius_km >= 0.0 => {
            Some(Circle { center, radius_km })
        }
        _ => {
            ctx.error(
                path,
                node.line,
                format!(
                    "radius `{}` is not a distance in kilometres",
                    excerpt(radius)
                ),
            );
            None
        }
    }
}
