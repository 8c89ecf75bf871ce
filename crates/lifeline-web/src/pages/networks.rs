use askama::Template;

use super::Chrome;

/// A network as the list shows it.
#[derive(Debug, Clone)]
pub struct NetworkItem {
    pub id: String,
    pub name: String,
    pub version: i64,
    pub org: String,
    pub shared: bool,
    pub nodes: String,
    pub edges: String,
    pub uploaded: String,
    pub uploaded_by: String,
}

impl NetworkItem {
    pub fn of(info: &NetworkSummary<'_>) -> NetworkItem {
        let count = |key: &str| {
            info.summary
                .get(key)
                .and_then(serde_json::Value::as_f64)
                .map(crate::format::units)
                .unwrap_or_else(|| "—".to_owned())
        };
        NetworkItem {
            id: info.id.to_owned(),
            name: info.name.to_owned(),
            version: info.version,
            org: info.org.to_owned(),
            shared: info.shared,
            nodes: count("nodes"),
            edges: count("edges"),
            uploaded: crate::format::timestamp(info.created_at),
            uploaded_by: info.created_by.to_owned(),
        }
    }
}

/// What the server knows of a stored network, borrowed for [`NetworkItem::of`].
#[derive(Debug)]
pub struct NetworkSummary<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: i64,
    pub org: &'a str,
    pub shared: bool,
    pub summary: &'a serde_json::Value,
    pub created_at: i64,
    pub created_by: &'a str,
}

/// `/networks`: every network the organisation can read.
#[derive(Debug, Template)]
#[template(path = "networks.html")]
pub struct NetworksPage {
    pub chrome: Chrome,
    pub networks: Vec<NetworkItem>,
}
