//! EDXL-DE 1.0 (OASIS Emergency Data Exchange Language Distribution Element 1.0, 2006): the
//! distribution envelope that carries CAP alerts between emergency-management systems.
//! lifeline writes one `contentObject` per alert (`xmlContent/embeddedXMLContent`) and
//! reads the envelope's header and every CAP 1.2 alert embedded in it; other content
//! objects are checked by the schema but not kept.

use lifeline_text::excerpt;
use lifeline_xsd::SchemaSet;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesStart, Event};
use time::OffsetDateTime;

use crate::error::CapErrors;
use crate::model::Alert;
use crate::read::{self, Ctx};
use crate::tree::{self, Node};
use crate::write::{NAMESPACE as CAP_NAMESPACE, Out, write_alert};

/// The EDXL-DE 1.0 namespace.
pub const EDXL_NAMESPACE: &str = "urn:oasis:names:tc:emergency:EDXL:DE:1.0";

/// `distributionStatus` (EDXL-DE 1.0 section 3.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistributionStatus {
    Actual,
    Exercise,
    System,
    Test,
}

impl DistributionStatus {
    pub const ALL: &'static [DistributionStatus] = &[
        DistributionStatus::Actual,
        DistributionStatus::Exercise,
        DistributionStatus::System,
        DistributionStatus::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DistributionStatus::Actual => "Actual",
            DistributionStatus::Exercise => "Exercise",
            DistributionStatus::System => "System",
            DistributionStatus::Test => "Test",
        }
    }

    pub fn parse(text: &str) -> Option<DistributionStatus> {
        DistributionStatus::ALL
            .iter()
            .copied()
            .find(|status| status.as_str() == text.trim())
    }
}

/// `distributionType` (EDXL-DE 1.0 section 3.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistributionType {
    Report,
    Update,
    Cancel,
    Request,
    Response,
    Dispatch,
    Ack,
    Error,
    SensorConfiguration,
    SensorControl,
    SensorStatus,
    SensorDetection,
}

impl DistributionType {
    pub const ALL: &'static [DistributionType] = &[
        DistributionType::Report,
        DistributionType::Update,
        DistributionType::Cancel,
        DistributionType::Request,
        DistributionType::Response,
        DistributionType::Dispatch,
        DistributionType::Ack,
        DistributionType::Error,
        DistributionType::SensorConfiguration,
        DistributionType::SensorControl,
        DistributionType::SensorStatus,
        DistributionType::SensorDetection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DistributionType::Report => "Report",
            DistributionType::Update => "Update",
            DistributionType::Cancel => "Cancel",
            DistributionType::Request => "Request",
            DistributionType::Response => "Response",
            DistributionType::Dispatch => "Dispatch",
            DistributionType::Ack => "Ack",
            DistributionType::Error => "Error",
            DistributionType::SensorConfiguration => "SensorConfiguration",
            DistributionType::SensorControl => "SensorControl",
            DistributionType::SensorStatus => "SensorStatus",
            DistributionType::SensorDetection => "SensorDetection",
        }
    }

    pub fn parse(text: &str) -> Option<DistributionType> {
        DistributionType::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == text.trim())
    }
}

/// An EDXL-DE 1.0 distribution of CAP alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub distribution_id: String,
    pub sender_id: String,
    pub date_time_sent: OffsetDateTime,
    pub status: DistributionStatus,
    pub distribution_type: DistributionType,
    /// The most restrictive confidentiality of the content objects (`UNCLASSIFIED`, or a
    /// TLP label).
    pub combined_confidentiality: String,
    pub language: Option<String>,
    /// The CAP alerts, in document order.
    pub alerts: Vec<Alert>,
}

/// The distribution as EDXL-DE 1.0 XML, each alert in its own `contentObject`.
pub fn write_edxl(distribution: &Distribution) -> String {
    let mut out = Out(Writer::new_with_indent(Vec::new(), b' ', 2));
    out.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut root = BytesStart::new("EDXLDistribution");
    root.push_attribute(("xmlns", EDXL_NAMESPACE));
    out.event(Event::Start(root));
    out.text("distributionID", &distribution.distribution_id);
    out.text("senderID", &distribution.sender_id);
    out.text(
        "dateTimeSent",
        &crate::datetime::format(distribution.date_time_sent),
    );
    out.text("distributionStatus", distribution.status.as_str());
    out.text("distributionType", distribution.distribution_type.as_str());
    out.text(
        "combinedConfidentiality",
        &distribution.combined_confidentiality,
    );
    if let Some(language) = &distribution.language {
        out.text("language", language);
    }
    for alert in &distribution.alerts {
        out.start("contentObject");
        if let Some(headline) = alert.info.first().and_then(|info| info.headline.as_deref()) {
            out.text("contentDescription", headline);
        }
        out.start("xmlContent");
        out.start("embeddedXMLContent");
        write_alert(&mut out, alert, Some(CAP_NAMESPACE));
        out.end("embeddedXMLContent");
        out.end("xmlContent");
        out.end("contentObject");
    }
    out.end("EDXLDistribution");
    let mut bytes = out.0.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// Reads an EDXL-DE 1.0 distribution: its header and every embedded CAP 1.2 alert (each
/// checked as [`crate::read`] checks one), then the whole document against the EDXL-DE
/// 1.0 schema with CAP 1.2 imported.
pub fn read_edxl(text: &str) -> Result<Distribution, CapErrors> {
    let root = tree::parse(text)?;
    let mut ctx = Ctx::default();
    let distribution = read_distribution(&root, &mut ctx);
    let distribution = ctx.finish(distribution)?;
    read::schema_check(SchemaSet::EdxlDe1_0, text)?;
    Ok(distribution)
}

fn edxl_date_time(node: &Node, path: &str, ctx: &mut Ctx) -> Option<OffsetDateTime> {
    let value = read::leaf(node, path, ctx)?;
    let trimmed = value.trim();
    crate::datetime::parse(trimmed)
        .ok()
        .or_else(|| {
            OffsetDateTime::parse(trimmed, &time::format_description::well_known::Rfc3339).ok()
        })
        .or_else(|| {
            ctx.error(
                path,
                node.line,
                format!(
                    "`{}` is not a date-time with a time-zone offset",
                    excerpt(value)
                ),
            );
            None
        })
}

fn read_distribution(node: &Node, ctx: &mut Ctx) -> Option<Distribution> {
    let path = "EDXLDistribution";
    if node.name != "EDXLDistribution" || node.namespace != EDXL_NAMESPACE {
        ctx.error(
            path,
            node.line,
            format!(
                "the root element is `{}` in namespace `{}`; an EDXL-DE 1.0 distribution is `EDXLDistribution` in `{EDXL_NAMESPACE}`",
                excerpt(&node.name),
                excerpt(&node.namespace)
            ),
        );
        return None;
    }
    let mut distribution_id = None;
    let mut sender_id = None;
    let mut date_time_sent = None;
    let mut status = None;
    let mut distribution_type = None;
    let mut combined_confidentiality = None;
    let mut language = None;
    let mut alerts = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (child, child_path) in read::children(node, path) {
        if child.namespace != EDXL_NAMESPACE {
            // The schema says whether an element of another namespace may be here.
            continue;
        }
        let p = child_path.as_str();
        match child.name.as_str() {
            "distributionID" => read::once(
                &mut distribution_id,
                read::text(child, p, ctx),
                child,
                p,
                ctx,
            ),
            "senderID" => read::once(&mut sender_id, read::text(child, p, ctx), child, p, ctx),
            "dateTimeSent" => read::once(
                &mut date_time_sent,
                edxl_date_time(child, p, ctx),
                child,
                p,
                ctx,
            ),
            "distributionStatus" => {
                let value = read::listed(
                    child,
                    p,
                    ctx,
                    "EDXL-DE distributionStatus",
                    DistributionStatus::parse,
                    DistributionStatus::ALL,
                    DistributionStatus::as_str,
                );
                read::once(&mut status, value, child, p, ctx);
            }
            "distributionType" => {
                let value = read::listed(
                    child,
                    p,
                    ctx,
                    "EDXL-DE distributionType",
                    DistributionType::parse,
                    DistributionType::ALL,
                    DistributionType::as_str,
                );
                read::once(&mut distribution_type, value, child, p, ctx);
            }
            "combinedConfidentiality" => read::once(
                &mut combined_confidentiality,
                read::text(child, p, ctx),
                child,
                p,
                ctx,
            ),
            "language" => read::once(&mut language, read::text(child, p, ctx), child, p, ctx),
            "contentObject" => alerts.extend(embedded_alerts(child, p, ctx)),
            // The other header elements (roles, keywords, references, addresses, target
            // areas) are checked by the schema and not kept.
            _ => {}
        }
        seen.push(child.name.clone());
    }
    let was = |name: &str| seen.iter().any(|seen| seen == name);
    let distribution_id = read::required(
        distribution_id,
        node,
        path,
        "distributionID",
        was("distributionID"),
        ctx,
    );
    let sender_id = read::required(sender_id, node, path, "senderID", was("senderID"), ctx);
    let date_time_sent = read::required(
        date_time_sent,
        node,
        path,
        "dateTimeSent",
        was("dateTimeSent"),
        ctx,
    );
    let status = read::required(
        status,
        node,
        path,
        "distributionStatus",
        was("distributionStatus"),
        ctx,
    );
    let distribution_type = read::required(
        distribution_type,
        node,
        path,
        "distributionType",
        was("distributionType"),
        ctx,
    );
    let combined_confidentiality = read::required(
        combined_confidentiality,
        node,
        path,
        "combinedConfidentiality",
        was("combinedConfidentiality"),
        ctx,
    );
    Some(Distribution {
        distribution_id: distribution_id?,
        sender_id: sender_id?,
        date_time_sent: date_time_sent?,
        status: status?,
        distribution_type: distribution_type?,
        combined_confidentiality: combined_confidentiality?,
        language,
        alerts,
    })
}

/// The CAP 1.2 alerts of one `contentObject`'s `xmlContent`.
fn embedded_alerts(node: &Node, path: &str, ctx: &mut Ctx) -> Vec<Alert> {
    let mut out = Vec::new();
    for (content, content_path) in read::children(node, path) {
        if content.name != "xmlContent" || content.namespace != EDXL_NAMESPACE {
            continue;
        }
        for (embedded, embedded_path) in read::children(content, &content_path) {
            if embedded.name != "embeddedXMLContent" || embedded.namespace != EDXL_NAMESPACE {
                continue;
            }
            for (candidate, _) in read::children(embedded, &embedded_path) {
                if candidate.namespace == CAP_NAMESPACE {
                    let alert_path = format!("{embedded_path}/{}", candidate.name);
                    out.extend(read::read_alert(candidate, &alert_path, ctx));
                }
            }
        }
    }
    out
}
