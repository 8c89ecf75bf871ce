//! A network as a folder of CSV tables, one per list of the format, same column names.
//!
//! | file | columns |
//! |---|---|
//! | `network.csv` (optional, one row) | `name`, `time_unit`, `horizon` |
//! | `nodes.csv` | `id`, `kind`, `material`, `site`, `capacity`, `inventory`, `demand`, `value`, `ttr`, `spend`; simulation: `policy` (`base_stock`, `s_S`, `days_of_supply`) with `policy_level`, `policy_s`, `policy_S`, `policy_days`, and `unmet`, `allocation` (`proportional`, `criticality`); links: `gln`, `vendor` |
//! | `edges.csv` | `from`, `to`, `lead_time` |
//! | `sites.csv`, `platforms.csv` (optional) | `id`, `name`, `kind`, `capacity`, `ttr`, `gln`, `vendor` |
//! | `items.csv` (optional) | `id`, `name`, `gtin` (several separated by `;`) |
//! | `bom.csv` (optional) | `node`, `material`, `ratio` |
//! | `depends_on.csv` (optional) | `node`, `platform`, `degraded_capacity` |
//! | `scenarios.csv` (optional) | `id`, `ttr`, `start`, `downtime_cost` |
//! | `disrupt.csv` (optional) | `scenario`, `node`, `site`, `platform`, `capacity_factor`, `defection_fraction`, `defection_after` |
//! | `profile.csv` (optional) | `scenario`, `entity`, `day`, `factor`: one point of the capacity profile of the scenario's disruption of `entity` |
//!
//! An empty cell is an absent field. The tables become one [`Raw`] document, so they are
//! decoded and validated exactly like JSON; diagnostics are then pointed back at the file,
//! line and column they came from.

use std::collections::HashMap;
use std::path::Path;

use std::io::Read as _;

use crate::error::{Diagnostic, LoadError};
use crate::limits::ReadLimits;
use crate::raw::Raw;

/// Columns whose cells are numbers; every other cell is a string.
const NUMERIC: &[&str] = &[
    "horizon",
    "capacity",
    "inventory",
    "demand",
    "value",
    "ttr",
    "spend",
    "lead_time",
    "ratio",
    "degraded_capacity",
    "capacity_factor",
    "start",
    "downtime_cost",
    "policy_level",
    "policy_s",
    "policy_S",
    "policy_days",
    "defection_fraction",
    "defection_after",
    "day",
    "factor",
];

/// Flat columns that become one nested object `field`: each `(column, key)` becomes the
/// object's `key`, and `type_column`'s value, if any, its `type`.
struct Nested {
    field: &'static str,
    type_column: Option<&'static str>,
    columns: &'static [(&'static str, &'static str)],
}

const POLICY: Nested = Nested {
    field: "policy",
    type_column: Some("policy"),
    columns: &[
        ("policy_level", "level"),
        ("policy_s", "s"),
        ("policy_S", "S"),
        ("policy_days", "days"),
    ],
};

const DEFECTION: Nested = Nested {
    field: "defection",
    type_column: None,
    columns: &[
        ("defection_fraction", "fraction"),
        ("defection_after", "after"),
    ],
};

/// Folds a row's flat columns into one nested object, when any of them is present.
fn nest(row: &mut Vec<(String, Raw)>, nested: &Nested) {
    let mut object = Vec::new();
    if let Some(column) = nested.type_column
        && let Some(kind) = take(row, column)
    {
        object.push(("type".to_owned(), kind));
    }
    for (column, key) in nested.columns {
        if let Some(value) = take(row, column) {
            object.push(((*key).to_owned(), value));
        }
    }
    if !object.is_empty() {
        row.push((nested.field.to_owned(), Raw::Map(object)));
    }
}

/// A document assembled from CSV tables, with where each generated path came from.
pub(crate) struct Tables {
    pub document: Raw,
    /// Generated path prefix (`nodes[3]`) → source location (`nodes.csv line 5`).
    locations: HashMap<String, String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Tables {
    /// Rewrites a diagnostic path such as `nodes[3].capacity` into
    /// `nodes.csv line 5, column capacity`, and a path that ends its message (`first used
    /// at nodes[0].id`) likewise.
    pub fn relocate(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        if let Some(location) = self.locate(&diagnostic.path) {
            diagnostic.path = location;
        }
        if let Some((head, tail)) = diagnostic.message.rsplit_once(" at ")
            && let Some(location) = self.locate(tail)
        {
            diagnostic.message = format!("{head} at {location}");
        }
        diagnostic
    }

    /// The source location of a generated path: that of its longest prefix ending at a
    /// field or index boundary, plus the rest of the path as the column. Looking up each
    /// prefix keeps this linear in the path, whatever the number of rows.
    fn locate(&self, path: &str) -> Option<String> {
        let ends = path
            .char_indices()
            .filter(|&(_, c)| c == '.' || c == '[')
            .map(|(i, _)| i)
            .chain([path.len()]);
        let (end, location) = ends.rev().find_map(|end| {
            self.locations
                .get(&path[..end])
                .map(|location| (end, location))
        })?;
        let rest = path[end..].trim_start_matches('.');
        Some(if rest.is_empty() {
            location.clone()
        } else {
            format!("{location}, column {rest}")
        })
    }
}

struct Table {
    file: String,
    rows: Vec<(usize, Vec<(String, Raw)>)>,
}

fn read_table(
    folder: &Path,
    name: &str,
    required: bool,
    limits: &ReadLimits,
) -> Result<Option<Table>, LoadError> {
    let path = folder.join(name);
    if !path.exists() {
        if required {
            return Err(LoadError::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "required CSV table is missing",
                ),
            });
        }
        return Ok(None);
    }
    let io = |source| LoadError::Io {
        path: path.clone(),
        source,
    };
    let file = std::fs::File::open(&path).map_err(io)?;
    let length = file.metadata().map_err(io)?.len();
    if length > limits.file_bytes {
        return Err(LoadError::Limit {
            path,
            field: String::new(),
            message: format!(
                "the file is {length} bytes, over the limit of {} bytes per file",
                limits.file_bytes
            ),
        });
    }
    let guard = RecordGuard::new(file.take(limits.file_bytes), limits.csv_record_bytes);
    let breach = guard.breach.clone();
    let failed = |error: csv::Error| match breach.take() {
        Some((line, message)) => LoadError::Limit {
            path: path.clone(),
            field: format!("line {line}"),
            message,
        },
        None => LoadError::Syntax {
            path: path.clone(),
            format: "CSV",
            message: error.to_string(),
        },
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(guard);
    let headers: Vec<String> = reader
        .headers()
        .map_err(&failed)?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut i = 0;
    while reader.read_record(&mut record).map_err(&failed)? {
        let line = record
            .position()
            .map_or(i + 2, |p| usize::try_from(p.line()).unwrap_or(i + 2));
        i += 1;
        if let Some((column, cell)) = headers
            .iter()
            .zip(record.iter())
            .find(|(_, cell)| cell.len() > limits.value_bytes)
        {
            return Err(LoadError::Limit {
                path,
                field: format!("line {line}, column {}", lifeline_text::excerpt(column)),
                message: format!(
                    "a cell of {} bytes is longer than the limit of {} bytes per value",
                    cell.len(),
                    limits.value_bytes
                ),
            });
        }
        let fields = headers
            .iter()
            .zip(record.iter())
            .filter(|(_, cell)| !cell.is_empty())
            .map(|(column, cell)| (column.clone(), cell_value(column, cell)))
            .collect();
        rows.push((line, fields));
    }
    Ok(Some(Table {
        file: name.to_owned(),
        rows,
    }))
}

/// A reader that fails as soon as one CSV record (the header or a row) grows past a
/// length, before the CSV parser has buffered it: an 89 MB header costs the reader one
/// buffer, not 89 MB. It follows the quotes (`"`, doubled inside a quoted field) so that
/// a line break inside a quoted field does not end the record, and counts lines for the
/// error.
struct RecordGuard<R> {
    inner: R,
    limit: usize,
    record: usize,
    quoted: bool,
    line: u64,
    /// The line the current record began on.
    record_line: u64,
    /// The line and message of the limit that stopped the reading.
    breach: std::rc::Rc<std::cell::Cell<Option<(u64, String)>>>,
}

impl<R> RecordGuard<R> {
    fn new(inner: R, limit: usize) -> Self {
        RecordGuard {
            inner,
            limit,
            record: 0,
            quoted: false,
            line: 1,
            record_line: 1,
            breach: std::rc::Rc::default(),
        }
    }
}

impl<R: std::io::Read> std::io::Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in &buf[..n] {
            match byte {
                b'"' => self.quoted = !self.quoted,
                b'\n' => {
                    self.line += 1;
                    if !self.quoted {
                        self.record = 0;
                        self.record_line = self.line;
                        continue;
                    }
                }
                _ => {}
            }
            self.record += 1;
            if self.record > self.limit {
                let message = format!(
                    "a CSV record (the header or a row) is longer than the limit of {} bytes",
                    self.limit
                );
                self.breach.set(Some((self.record_line, message.clone())));
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    message,
                ));
            }
        }
        Ok(n)
    }
}

fn cell_value(column: &str, cell: &str) -> Raw {
    if NUMERIC.contains(&column)
        && let Ok(x) = cell.parse::<f64>()
    {
        return Raw::Number(x);
    }
    if column == "gtin" && cell.contains(';') {
        return Raw::List(
            cell.split(';')
                .map(|gtin| Raw::String(gtin.trim().to_owned()))
                .collect(),
        );
    }
    Raw::String(cell.to_owned())
}

/// Removes `key` from a row, returning its value.
fn take(row: &mut Vec<(String, Raw)>, key: &str) -> Option<Raw> {
    let position = row.iter().position(|(k, _)| k == key)?;
    Some(row.remove(position).1)
}

fn as_id(raw: Option<Raw>) -> Option<String> {
    match raw {
        Some(Raw::String(s)) => Some(s),
        Some(Raw::Number(n)) => Some(crate::raw::format_number(n)),
        _ => None,
    }
}

/// Reads the CSV tables of `folder` into one document.
pub(crate) fn read(folder: &Path, limits: &ReadLimits) -> Result<Tables, LoadError> {
    let mut tables = Tables {
        document: Raw::Null,
        locations: HashMap::new(),
        diagnostics: Vec::new(),
    };
    let mut document: Vec<(String, Raw)> = vec![(
        "format".to_owned(),
        Raw::String(crate::model::FORMAT.to_owned()),
    )];
    if let Some(table) = read_table(folder, "network.csv", false, limits)?
        && let Some((_, row)) = table.rows.into_iter().next()
    {
        document.extend(row);
    }
    for (list, required) in [
        ("nodes", true),
        ("edges", true),
        ("sites", false),
        ("platforms", false),
        ("items", false),
    ] {
        let Some(table) = read_table(folder, &format!("{list}.csv"), required, limits)? else {
            continue;
        };
        let mut items = Vec::with_capacity(table.rows.len());
        for (i, (line, row)) in table.rows.into_iter().enumerate() {
            tables.locations.insert(
                format!("{list}[{i}]"),
                format!("{} line {line}", table.file),
            );
            items.push(Raw::Map(row));
        }
        document.push((list.to_owned(), Raw::List(items)));
    }
    let mut nodes = take_list(&mut document, "nodes");
    for node in &mut nodes {
        if let Raw::Map(row) = node {
            nest(row, &POLICY);
        }
    }
    let node_rows: HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match n {
            Raw::Map(fields) => fields
                .iter()
                .find(|(k, _)| k == "id")
                .and_then(|(_, v)| match v {
                    Raw::String(s) => Some((s.clone(), i)),
                    _ => None,
                }),
            _ => None,
        })
        .collect();
    attach(
        &mut tables,
        folder,
        limits,
        "bom.csv",
        &mut nodes,
        &node_rows,
        "node",
        |row| {
            let material = as_id(take(row, "material"))?;
            let ratio = take(row, "ratio").unwrap_or(Raw::Null);
            Some(("bom", Child::Keyed(material, ratio)))
        },
    )?;
    attach(
        &mut tables,
        folder,
        limits,
        "depends_on.csv",
        &mut nodes,
        &node_rows,
        "node",
        |row| Some(("depends_on", Child::Listed(Raw::Map(std::mem::take(row))))),
    )?;
    document.push(("nodes".to_owned(), Raw::List(nodes)));

    if let Some(table) = read_table(folder, "scenarios.csv", false, limits)? {
        let mut scenarios = Vec::with_capacity(table.rows.len());
        let mut rows_by_id = HashMap::new();
        for (i, (line, row)) in table.rows.into_iter().enumerate() {
            tables.locations.insert(
                format!("scenarios[{i}]"),
                format!("{} line {line}", table.file),
            );
            if let Some((_, Raw::String(id))) = row.iter().find(|(k, _)| k == "id") {
                rows_by_id.insert(id.clone(), i);
            }
            scenarios.push(Raw::Map(row));
        }
        attach(
            &mut tables,
            folder,
            limits,
            "disrupt.csv",
            &mut scenarios,
            &rows_by_id,
            "scenario",
            |row| {
                nest(row, &DEFECTION);
                Some(("disrupt", Child::Listed(Raw::Map(std::mem::take(row)))))
            },
        )?;
        attach_profiles(&mut tables, folder, limits, &mut scenarios, &rows_by_id)?;
        document.push(("scenarios".to_owned(), Raw::List(scenarios)));
    }
    tables.document = Raw::Map(document);
    Ok(tables)
}

/// Attaches the rows of `profile.csv` as `[day, factor]` points to the disruption entry of
/// their scenario that names their entity, in file order.
fn attach_profiles(
    tables: &mut Tables,
    folder: &Path,
    limits: &ReadLimits,
    scenarios: &mut [Raw],
    rows_by_id: &HashMap<String, usize>,
) -> Result<(), LoadError> {
    let Some(table) = read_table(folder, "profile.csv", false, limits)? else {
        return Ok(());
    };
    for (line, mut row) in table.rows {
        let location = format!("{} line {line}", table.file);
        let scenario = as_id(take(&mut row, "scenario"));
        let entity = as_id(take(&mut row, "entity"));
        let (Some(scenario), Some(entity)) = (scenario, entity) else {
            tables.diagnostics.push(Diagnostic::error(
                location,
                "missing required field: `scenario` and `entity` are both needed",
            ));
            continue;
        };
        let Some(&s) = rows_by_id.get(&scenario) else {
            tables.diagnostics.push(Diagnostic::error(
                format!("{location}, column scenario"),
                format!("unknown scenario `{}`", lifeline_text::Excerpt(&scenario)),
            ));
            continue;
        };
        let point = Raw::List(vec![
            take(&mut row, "day").unwrap_or(Raw::Null),
            take(&mut row, "factor").unwrap_or(Raw::Null),
        ]);
        let entry = match &mut scenarios[s] {
            Raw::Map(fields) => {
                fields
                    .iter_mut()
                    .find(|(k, _)| k == "disrupt")
                    .and_then(|(_, list)| match list {
                        Raw::List(items) => items
                            .iter_mut()
                            .position(|item| names(item, &entity))
                            .map(|i| (i, &mut items[i])),
                        _ => None,
                    })
            }
            _ => None,
        };
        let Some((i, Raw::Map(entry))) = entry else {
            tables.diagnostics.push(Diagnostic::error(
                format!("{location}, column entity"),
                format!(
                    "scenario `{}` disrupts no entity `{}` (see disrupt.csv)",
                    lifeline_text::Excerpt(&scenario),
                    lifeline_text::Excerpt(&entity)
                ),
            ));
            continue;
        };
        let slot = match entry.iter().position(|(k, _)| k == "profile") {
            Some(position) => position,
            None => {
                entry.push(("profile".to_owned(), Raw::List(Vec::new())));
                entry.len() - 1
            }
        };
        if let Raw::List(points) = &mut entry[slot].1 {
            tables.locations.insert(
                format!("scenarios[{s}].disrupt[{i}].profile[{}]", points.len()),
                location,
            );
            points.push(point);
        }
    }
    Ok(())
}

/// Whether a disruption entry names `entity` as its node, site or platform.
fn names(entry: &Raw, entity: &str) -> bool {
    let Raw::Map(fields) = entry else {
        return false;
    };
    fields.iter().any(|(k, v)| {
        matches!(k.as_str(), "node" | "site" | "platform")
            && matches!(v, Raw::String(id) if id == entity)
    })
}

fn take_list(document: &mut Vec<(String, Raw)>, key: &str) -> Vec<Raw> {
    match take(document, key) {
        Some(Raw::List(items)) => items,
        _ => Vec::new(),
    }
}

enum Child {
    /// An entry of a map field (`bom`: material → ratio).
    Keyed(String, Raw),
    /// An item of a list field (`depends_on`, `disrupt`).
    Listed(Raw),
}

/// Attaches the rows of a child table to their parents (`bom.csv` rows to nodes).
#[allow(clippy::too_many_arguments)] // one call per child table, each naming every part
fn attach(
    tables: &mut Tables,
    folder: &Path,
    limits: &ReadLimits,
    file: &str,
    parents: &mut [Raw],
    parent_rows: &HashMap<String, usize>,
    parent_column: &str,
    mut child: impl FnMut(&mut Vec<(String, Raw)>) -> Option<(&'static str, Child)>,
) -> Result<(), LoadError> {
    let Some(table) = read_table(folder, file, false, limits)? else {
        return Ok(());
    };
    let parent_list = if parent_column == "node" {
        "nodes"
    } else {
        "scenarios"
    };
    for (line, mut row) in table.rows {
        let location = format!("{file} line {line}");
        let Some(parent_id) = as_id(take(&mut row, parent_column)) else {
            tables.diagnostics.push(Diagnostic::error(
                format!("{location}, column {parent_column}"),
                "missing required field",
            ));
            continue;
        };
        let Some(&p) = parent_rows.get(&parent_id) else {
            tables.diagnostics.push(Diagnostic::error(
                format!("{location}, column {parent_column}"),
                format!(
                    "unknown {parent_column} `{}`",
                    lifeline_text::Excerpt(&parent_id)
                ),
            ));
            continue;
        };
        let Some((field, value)) = child(&mut row) else {
            tables.diagnostics.push(Diagnostic::error(
                location,
                "missing required field `material`",
            ));
            continue;
        };
        let Raw::Map(parent) = &mut parents[p] else {
            continue;
        };
        let slot = match parent.iter().position(|(k, _)| k == field) {
            Some(position) => position,
            None => {
                let empty = match value {
                    Child::Keyed(..) => Raw::Map(Vec::new()),
                    Child::Listed(_) => Raw::List(Vec::new()),
                };
                parent.push((field.to_owned(), empty));
                parent.len() - 1
            }
        };
        match (&mut parent[slot].1, value) {
            (Raw::Map(entries), Child::Keyed(key, raw)) => {
                tables
                    .locations
                    .insert(format!("{parent_list}[{p}].{field}.{key}"), location);
                entries.push((key, raw));
            }
            (Raw::List(items), Child::Listed(raw)) => {
                tables.locations.insert(
                    format!("{parent_list}[{p}].{field}[{}]", items.len()),
                    location,
                );
                items.push(raw);
            }
            _ => {}
        }
    }
    Ok(())
}
